// Strategy (spec section 8.1): runs right after a TOB record, only when flags = 0, both
// sides are non-empty, ask > bid, spread <= MAX_SPREAD and the cooldown has elapsed.
// Buy if bid_sz * IMB_DEN >= ask_sz * IMB_NUM (IOC at the ask, qty = min(ask_sz, CLIP));
// else sell if ask_sz * IMB_DEN >= bid_sz * IMB_NUM (IOC at the bid, qty = min(bid_sz, CLIP)).
// The two imbalance comparisons arrive from the analytics stage (rg_tob) on the TOB bus.
//
// One stage, one event per cycle: eligibility, cooldown against last_decision_ts[i] (read
// and written in this stage only), decision, order price and quantity (ORD bus).
// For the clock: the cooldown keeps, beside last_decision_ts, the time it ends
// (last + COOLDOWN, 65 bits, written with it), so the check is two compares side by side
// instead of a subtract then a compare (ts >= last and ts - last >= COOLDOWN <=> ts >= last
// and ts >= last + COOLDOWN; COOLDOWN is fixed from the config load, before any decision);
// per-symbol state is read through a one-hot select and written through decoded enables
// (an indexed part-select becomes a multiplier and a shifter).
`default_nettype none
`include "rg_contract.vh"
module rg_strategy #(
    parameter integer MAX_SYMBOLS = 64,
    parameter integer SYM_W       = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire [63:0]          cfg_cooldown,
    input  wire [31:0]          cfg_max_spread,
    input  wire [31:0]          cfg_clip,

    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire [`RG_EV_W-1:0]  s_ev,
    input  wire [`RG_TOB_W-1:0] s_tob,

    output wire                 m_valid,
    input  wire                 m_ready,
    output wire [`RG_EV_W-1:0]  m_ev,
    output wire [`RG_TOB_W-1:0] m_tob,
    output wire [`RG_ORD_W-1:0] m_ord,

    output wire                 idle
);
    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1)) begin
            $error("rg_strategy: SYM_W = %0d differs from its derivation (instance %m)", SYM_W);
            $finish;
        end
    end

    reg                 v_q;
    reg [`RG_EV_W-1:0]  ev_q;
    reg [`RG_TOB_W-1:0] tob_q;
    reg [`RG_ORD_W-1:0] ord_q;

    reg [MAX_SYMBOLS-1:0]    has_dec_q;
    reg [MAX_SYMBOLS*48-1:0] last_dec_q;
    reg [MAX_SYMBOLS*65-1:0] due_q;        // last_dec + COOLDOWN

    wire adv = !v_q || m_ready;
    assign s_ready = adv;

    wire [SYM_W-1:0] s_sym    = s_tob[`RG_TOB_SYM_LO +: SYM_W];
    wire [7:0]       s_flags  = s_tob[`RG_TOB_FLAGS_LO +: `RG_TOB_FLAGS_W];
    wire             s_emit   = s_tob[`RG_TOB_EMIT_LO];
    wire [31:0]      s_bid_px = s_tob[`RG_TOB_BID_PX_LO +: `RG_TOB_BID_PX_W];
    wire [31:0]      s_bid_sz = s_tob[`RG_TOB_BID_SZ_LO +: `RG_TOB_BID_SZ_W];
    wire [31:0]      s_ask_px = s_tob[`RG_TOB_ASK_PX_LO +: `RG_TOB_ASK_PX_W];
    wire [31:0]      s_ask_sz = s_tob[`RG_TOB_ASK_SZ_LO +: `RG_TOB_ASK_SZ_W];
    wire             s_buy_ok  = s_tob[`RG_TOB_BUY_OK_LO];
    wire             s_sell_ok = s_tob[`RG_TOB_SELL_OK_LO];

    wire [47:0] ts       = s_ev[`RG_EV_TS_LO +: `RG_EV_TS_W];
    reg  [47:0] last;
    reg  [64:0] due;
    reg         has;
    integer k;
    always @(*) begin
        last = 48'd0;
        due  = 65'd0;
        has  = 1'b0;
        for (k = 0; k < MAX_SYMBOLS; k = k + 1)
            if (s_sym == k[SYM_W-1:0]) begin
                last = last_dec_q[k*48 +: 48];
                due  = due_q[k*65 +: 65];
                has  = has_dec_q[k];
            end
    end
    wire        elapsed  = !has || ((ts >= last) && ({17'd0, ts} >= due));
    wire [64:0] due_new  = {17'd0, ts} + {1'b0, cfg_cooldown};
    integer w;
    wire        eligible = s_emit && (s_flags == 8'd0) && (s_bid_sz != 32'd0) && (s_ask_sz != 32'd0) &&
                           (s_ask_px > s_bid_px) && ((s_ask_px - s_bid_px) <= cfg_max_spread);
    wire        decide   = eligible && elapsed && (s_buy_ok || s_sell_ok);
    wire [31:0] aq       = (s_ask_sz < cfg_clip) ? s_ask_sz : cfg_clip;
    wire [31:0] bq       = (s_bid_sz < cfg_clip) ? s_bid_sz : cfg_clip;

    reg [`RG_ORD_W-1:0] ord_d;
    always @(*) begin
        ord_d = {`RG_ORD_W{1'b0}};
        ord_d[`RG_ORD_DEC_LO]                         = decide;
        ord_d[`RG_ORD_BUY_LO]                         = s_buy_ok;
        ord_d[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W]    = s_buy_ok ? s_ask_px : s_bid_px;
        ord_d[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W]        = s_buy_ok ? aq : bq;
    end
    wire unused_sym = ^{s_tob[`RG_TOB_SYM_LO + SYM_W +: `RG_TOB_SYM_W - SYM_W]};

    always @(posedge clk) begin
        if (rst) begin
            v_q        <= 1'b0;
            ev_q       <= {`RG_EV_W{1'b0}};
            tob_q      <= {`RG_TOB_W{1'b0}};
            ord_q      <= {`RG_ORD_W{1'b0}};
            has_dec_q  <= {MAX_SYMBOLS{1'b0}};
            last_dec_q <= {(MAX_SYMBOLS*48){1'b0}};
            due_q      <= {(MAX_SYMBOLS*65){1'b0}};
        end else if (adv) begin
            v_q <= s_valid;
            if (s_valid) begin
                ev_q  <= s_ev;
                tob_q <= s_tob;
                ord_q <= ord_d;
                for (w = 0; w < MAX_SYMBOLS; w = w + 1)
                    if (decide && s_sym == w[SYM_W-1:0]) begin
                        has_dec_q[w]           <= 1'b1;
                        last_dec_q[w*48 +: 48] <= ts;
                        due_q[w*65 +: 65]      <= due_new;
                    end
            end
        end
    end

    assign m_valid = v_q;
    assign m_ev    = ev_q;
    assign m_tob   = tob_q;
    assign m_ord   = ord_q;
    assign idle    = !v_q;
endmodule
`default_nettype wire
