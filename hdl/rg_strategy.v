// Strategy (spec section 8.1): runs right after a TOB record, only when flags = 0, both
// sides are non-empty, ask > bid, spread <= MAX_SPREAD and the cooldown has elapsed.
// Buy if bid_sz * IMB_DEN >= ask_sz * IMB_NUM (IOC at the ask, qty = min(ask_sz, CLIP));
// else sell if ask_sz * IMB_DEN >= bid_sz * IMB_NUM (IOC at the bid, qty = min(bid_sz, CLIP)).
// The two imbalance comparisons arrive from the analytics stage (rg_tob).
//
// One stage, one event per cycle: eligibility, cooldown against last_decision_ts[i] (read
// and written in this stage only), decision, order price and quantity.
`default_nettype none
`include "rg_defs.vh"
module rg_strategy #(
    parameter integer MAX_SYMBOLS = 64,
    parameter integer EV_WIDTH    = 475,
    parameter integer SYM_W       = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [63:0]         cfg_cooldown,
    input  wire [31:0]         cfg_max_spread,
    input  wire [31:0]         cfg_clip,

    input  wire                s_valid,
    output wire                s_ready,
    input  wire [EV_WIDTH-1:0] s_ev,
    input  wire [SYM_W-1:0]    s_sym,
    input  wire [7:0]          s_flags,
    input  wire                s_tob,
    input  wire [31:0]         s_bid_px,
    input  wire [31:0]         s_bid_sz,
    input  wire [31:0]         s_ask_px,
    input  wire [31:0]         s_ask_sz,
    input  wire                s_buy_ok,
    input  wire                s_sell_ok,

    output wire                m_valid,
    input  wire                m_ready,
    output wire [EV_WIDTH-1:0] m_ev,
    output wire [SYM_W-1:0]    m_sym,
    output wire [7:0]          m_flags,
    output wire                m_tob,
    output wire [31:0]         m_bid_px,
    output wire [31:0]         m_bid_sz,
    output wire [31:0]         m_ask_px,
    output wire [31:0]         m_ask_sz,
    output wire                m_dec,
    output wire                m_dec_buy,
    output wire [31:0]         m_dec_price,
    output wire [31:0]         m_dec_qty,

    output wire                idle
);
    reg                v_q;
    reg [EV_WIDTH-1:0] ev_q;
    reg [SYM_W-1:0]    sym_q;
    reg [7:0]          flags_q;
    reg                tob_q, dec_q, buy_q;
    reg [31:0]         bpx_q, bsz_q, apx_q, asz_q, dpx_q, dqty_q;

    reg [MAX_SYMBOLS-1:0]    has_dec_q;
    reg [MAX_SYMBOLS*48-1:0] last_dec_q;

    wire adv = !v_q || m_ready;
    assign s_ready = adv;

    wire [47:0] ts       = s_ev[`RG_EV_TS_LO +: 48];
    wire [47:0] last     = last_dec_q[s_sym*48 +: 48];
    wire [47:0] dts      = ts - last;
    wire        elapsed  = !has_dec_q[s_sym] || ((ts >= last) && ({16'd0, dts} >= cfg_cooldown));
    wire        eligible = s_tob && (s_flags == 8'd0) && (s_bid_sz != 32'd0) && (s_ask_sz != 32'd0) &&
                           (s_ask_px > s_bid_px) && ((s_ask_px - s_bid_px) <= cfg_max_spread);
    wire        decide   = eligible && elapsed && (s_buy_ok || s_sell_ok);
    wire [31:0] aq       = (s_ask_sz < cfg_clip) ? s_ask_sz : cfg_clip;
    wire [31:0] bq       = (s_bid_sz < cfg_clip) ? s_bid_sz : cfg_clip;

    always @(posedge clk) begin
        if (rst) begin
            v_q        <= 1'b0;
            ev_q       <= {EV_WIDTH{1'b0}};
            sym_q      <= {SYM_W{1'b0}};
            flags_q    <= 8'd0;
            tob_q      <= 1'b0;
            dec_q      <= 1'b0;
            buy_q      <= 1'b0;
            bpx_q      <= 32'd0;
            bsz_q      <= 32'd0;
            apx_q      <= 32'd0;
            asz_q      <= 32'd0;
            dpx_q      <= 32'd0;
            dqty_q     <= 32'd0;
            has_dec_q  <= {MAX_SYMBOLS{1'b0}};
            last_dec_q <= {(MAX_SYMBOLS*48){1'b0}};
        end else if (adv) begin
            v_q <= s_valid;
            if (s_valid) begin
                ev_q    <= s_ev;
                sym_q   <= s_sym;
                flags_q <= s_flags;
                tob_q   <= s_tob;
                bpx_q   <= s_bid_px;
                bsz_q   <= s_bid_sz;
                apx_q   <= s_ask_px;
                asz_q   <= s_ask_sz;
                dec_q   <= decide;
                buy_q   <= s_buy_ok;
                dpx_q   <= s_buy_ok ? s_ask_px : s_bid_px;
                dqty_q  <= s_buy_ok ? aq : bq;
                if (decide) begin
                    has_dec_q[s_sym]            <= 1'b1;
                    last_dec_q[s_sym*48 +: 48]  <= ts;
                end
            end
        end
    end

    assign m_valid     = v_q;
    assign m_ev        = ev_q;
    assign m_sym       = sym_q;
    assign m_flags     = flags_q;
    assign m_tob       = tob_q;
    assign m_bid_px    = bpx_q;
    assign m_bid_sz    = bsz_q;
    assign m_ask_px    = apx_q;
    assign m_ask_sz    = asz_q;
    assign m_dec       = dec_q;
    assign m_dec_buy   = buy_q;
    assign m_dec_price = dpx_q;
    assign m_dec_qty   = dqty_q;
    assign idle        = !v_q;
endmodule
`default_nettype wire
