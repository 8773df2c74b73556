// Strategy (spec section 8.1): runs right after a TOB record, only when flags = 0, both
// sides are non-empty, ask > bid, spread <= MAX_SPREAD and the cooldown has elapsed.
// Buy if bid_sz * IMB_DEN >= ask_sz * IMB_NUM (IOC at the ask, qty = min(ask_sz, CLIP));
// else sell if ask_sz * IMB_DEN >= bid_sz * IMB_NUM (IOC at the bid, qty = min(bid_sz, CLIP)).
//
// Two stages, one event per cycle:
//   S1  the four imbalance products, spread checks, both candidate orders
//   S2  cooldown against last_decision_ts[i] (read and written in S2 only), decision
`default_nettype none
`include "rg_defs.vh"
module rg_strategy #(
    parameter integer MAX_SYMBOLS = 64,
    parameter integer EV_WIDTH    = 475,
    parameter integer SYM_W       = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [31:0]         cfg_imb_num,
    input  wire [31:0]         cfg_imb_den,
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
    // ---------------------------------------------------------------- S1
    reg                v1_q;
    reg [EV_WIDTH-1:0] ev1_q;
    reg [SYM_W-1:0]    sym1_q;
    reg [7:0]          flags1_q;
    reg                tob1_q, elig1_q, buy1_q, sell1_q;
    reg [31:0]         bpx1_q, bsz1_q, apx1_q, asz1_q, bq1_q, aq1_q;

    // ---------------------------------------------------------------- S2 / output
    reg                v2_q;
    reg [EV_WIDTH-1:0] ev2_q;
    reg [SYM_W-1:0]    sym2_q;
    reg [7:0]          flags2_q;
    reg                tob2_q, dec2_q, buy2_q;
    reg [31:0]         bpx2_q, bsz2_q, apx2_q, asz2_q, dpx2_q, dqty2_q;

    reg [MAX_SYMBOLS-1:0]    has_dec_q;
    reg [MAX_SYMBOLS*48-1:0] last_dec_q;

    wire adv2 = !v2_q || m_ready;
    wire adv1 = !v1_q || adv2;
    assign s_ready = adv1;

    wire [63:0] bid_den = {32'd0, s_bid_sz} * {32'd0, cfg_imb_den};
    wire [63:0] ask_num = {32'd0, s_ask_sz} * {32'd0, cfg_imb_num};
    wire [63:0] ask_den = {32'd0, s_ask_sz} * {32'd0, cfg_imb_den};
    wire [63:0] bid_num = {32'd0, s_bid_sz} * {32'd0, cfg_imb_num};
    wire        eligible = s_tob && (s_flags == 8'd0) && (s_bid_sz != 32'd0) && (s_ask_sz != 32'd0) &&
                           (s_ask_px > s_bid_px) && ((s_ask_px - s_bid_px) <= cfg_max_spread);

    // S2: cooldown
    wire [47:0] ts1      = ev1_q[`RG_EV_TS_LO +: 48];
    wire [47:0] last1    = last_dec_q[sym1_q*48 +: 48];
    wire [47:0] dts      = ts1 - last1;
    wire        elapsed  = !has_dec_q[sym1_q] || ((ts1 >= last1) && ({16'd0, dts} >= cfg_cooldown));
    wire        decide1  = elig1_q && elapsed && (buy1_q || sell1_q);

    always @(posedge clk) begin
        if (rst) begin
            v1_q       <= 1'b0;
            ev1_q      <= {EV_WIDTH{1'b0}};
            sym1_q     <= {SYM_W{1'b0}};
            flags1_q   <= 8'd0;
            tob1_q     <= 1'b0;
            elig1_q    <= 1'b0;
            buy1_q     <= 1'b0;
            sell1_q    <= 1'b0;
            bpx1_q     <= 32'd0;
            bsz1_q     <= 32'd0;
            apx1_q     <= 32'd0;
            asz1_q     <= 32'd0;
            bq1_q      <= 32'd0;
            aq1_q      <= 32'd0;
            v2_q       <= 1'b0;
            ev2_q      <= {EV_WIDTH{1'b0}};
            sym2_q     <= {SYM_W{1'b0}};
            flags2_q   <= 8'd0;
            tob2_q     <= 1'b0;
            dec2_q     <= 1'b0;
            buy2_q     <= 1'b0;
            bpx2_q     <= 32'd0;
            bsz2_q     <= 32'd0;
            apx2_q     <= 32'd0;
            asz2_q     <= 32'd0;
            dpx2_q     <= 32'd0;
            dqty2_q    <= 32'd0;
            has_dec_q  <= {MAX_SYMBOLS{1'b0}};
            last_dec_q <= {(MAX_SYMBOLS*48){1'b0}};
        end else begin
            if (adv1) begin
                v1_q <= s_valid;
                if (s_valid) begin
                    ev1_q    <= s_ev;
                    sym1_q   <= s_sym;
                    flags1_q <= s_flags;
                    tob1_q   <= s_tob;
                    elig1_q  <= eligible;
                    buy1_q   <= (bid_den >= ask_num);
                    sell1_q  <= (ask_den >= bid_num);
                    bpx1_q   <= s_bid_px;
                    bsz1_q   <= s_bid_sz;
                    apx1_q   <= s_ask_px;
                    asz1_q   <= s_ask_sz;
                    aq1_q    <= (s_ask_sz < cfg_clip) ? s_ask_sz : cfg_clip;
                    bq1_q    <= (s_bid_sz < cfg_clip) ? s_bid_sz : cfg_clip;
                end
            end
            if (adv2) begin
                v2_q <= v1_q;
                if (v1_q) begin
                    ev2_q    <= ev1_q;
                    sym2_q   <= sym1_q;
                    flags2_q <= flags1_q;
                    tob2_q   <= tob1_q;
                    bpx2_q   <= bpx1_q;
                    bsz2_q   <= bsz1_q;
                    apx2_q   <= apx1_q;
                    asz2_q   <= asz1_q;
                    dec2_q   <= decide1;
                    buy2_q   <= buy1_q;
                    dpx2_q   <= buy1_q ? apx1_q : bpx1_q;
                    dqty2_q  <= buy1_q ? aq1_q : bq1_q;
                    if (decide1) begin
                        has_dec_q[sym1_q]             <= 1'b1;
                        last_dec_q[sym1_q*48 +: 48]   <= ts1;
                    end
                end
            end
        end
    end

    assign m_valid     = v2_q;
    assign m_ev        = ev2_q;
    assign m_sym       = sym2_q;
    assign m_flags     = flags2_q;
    assign m_tob       = tob2_q;
    assign m_bid_px    = bpx2_q;
    assign m_bid_sz    = bsz2_q;
    assign m_ask_px    = apx2_q;
    assign m_ask_sz    = asz2_q;
    assign m_dec       = dec2_q;
    assign m_dec_buy   = buy2_q;
    assign m_dec_price = dpx2_q;
    assign m_dec_qty   = dqty2_q;
    assign idle        = !v1_q && !v2_q;
endmodule
`default_nettype wire
