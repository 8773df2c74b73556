// Strategy (spec section 8.1): runs right after a TOB record, only when flags = 0, both
// sides are non-empty, ask > bid, spread <= MAX_SPREAD and the cooldown has elapsed.
// Buy if bid_sz * IMB_DEN >= ask_sz * IMB_NUM (IOC at the ask, qty = min(ask_sz, CLIP));
// else sell if ask_sz * IMB_DEN >= bid_sz * IMB_NUM (IOC at the bid, qty = min(bid_sz, CLIP)).
// The two imbalance comparisons arrive from the analytics stage (rg_tob) on the TOB bus.
//
// One stage, one event per cycle: eligibility, cooldown against last_decision_ts[i] (read
// and written in this stage only), decision, order price and quantity (ORD bus).
// For the clock: the cooldown keeps, instead of last_decision_ts, the time it ends
// (due = last + COOLDOWN, 65 bits), so the check is one compare instead of a subtract then a
// compare (ts >= last and ts - last >= COOLDOWN <=> ts >= last + COOLDOWN, as COOLDOWN >= 0;
// COOLDOWN is fixed from the config load, before any decision; a symbol without a decision
// has due = 0, which every ts reaches). due is kept as its low 48 bits and a flag for
// due >= 2^48 (never reached by a 48-bit ts), and the 48-bit compare is split into two
// 24-bit halves side by side (a 48-bit carry chain alone is ~3 ns of the 6.4 ns cycle); the
// spread rule is one carry chain over a carry-save sum (ask - bid - MAX_SPREAD - 1 < 0)
// instead of a subtract then a compare. A decision's new due is written into the per-symbol
// state in the cycle after (from a pending register, so the decision drives one flip-flop,
// not every state bit's enable); the event accepted in that cycle compares its ts with both
// the stored due and the pending one, side by side, and takes the pending one for its symbol. Per-symbol state is read through a one-hot select
// and written through decoded enables (an indexed part-select becomes a multiplier and a
// shifter).
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

    reg [MAX_SYMBOLS*48-1:0] due_q;        // last_dec + COOLDOWN, low 48 bits
    reg [MAX_SYMBOLS-1:0]    due_far_q;    // last_dec + COOLDOWN >= 2^48
    reg                      pend_q;       // a decision's due, written into due_q next cycle
    reg [SYM_W-1:0]          pend_sym_q;
    reg [47:0]               pend_due_q;
    reg                      pend_far_q;

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
    reg  [47:0] due;
    reg         due_far;
    integer k;
    always @(*) begin
        due     = 48'd0;
        due_far = 1'b0;
        for (k = 0; k < MAX_SYMBOLS; k = k + 1)
            if (s_sym == k[SYM_W-1:0]) begin
                due     = due_q[k*48 +: 48];
                due_far = due_far_q[k];
            end
    end
    // ts >= due as two 24-bit halves, against the stored due and the pending one
    wire        el_stored = !due_far && ((ts[47:24] > due[47:24]) ||
                                         ((ts[47:24] == due[47:24]) && (ts[23:0] >= due[23:0])));
    wire        el_pend   = !pend_far_q && ((ts[47:24] > pend_due_q[47:24]) ||
                                            ((ts[47:24] == pend_due_q[47:24]) && (ts[23:0] >= pend_due_q[23:0])));
    wire        elapsed   = (pend_q && pend_sym_q == s_sym) ? el_pend : el_stored;
    wire [64:0] due_new  = {17'd0, ts} + {1'b0, cfg_cooldown};
    // ask - bid <= MAX_SPREAD <=> ask + ~bid + ~MAX_SPREAD + 1 = ask - bid - MAX_SPREAD - 1 < 0
    // (34-bit two's complement; the three operands summed carry-save, then one addition)
    wire [33:0] sp_x     = {2'b00, s_ask_px};
    wire [33:0] sp_y     = ~{2'b00, s_bid_px};
    wire [33:0] sp_z     = ~{2'b00, cfg_max_spread};
    wire [33:0] sp_s     = sp_x ^ sp_y ^ sp_z;
    wire [33:0] sp_c     = (sp_x & sp_y) | (sp_x & sp_z) | (sp_y & sp_z);
    wire [33:0] sp_c2    = {sp_c[32:0], 1'b1};
    // the sum's sign by carry select: the low 17 bits, and the high 17 with a carry in of 0 and
    // of 1, side by side (17-bit chains instead of one of 34)
    wire [17:0] sp_lo    = {1'b0, sp_s[16:0]} + {1'b0, sp_c2[16:0]};
    wire [16:0] sp_hi0   = sp_s[33:17] + sp_c2[33:17];
    wire [17:0] sp_hi1   = {sp_s[33:17], 1'b1} + {sp_c2[33:17], 1'b1};   // + 1 as a carry in
    wire        spread_ok = sp_lo[17] ? sp_hi1[17] : sp_hi0[16];
    // ask > bid as two 16-bit halves
    wire        ask_gt   = (s_ask_px[31:16] > s_bid_px[31:16]) ||
                           ((s_ask_px[31:16] == s_bid_px[31:16]) && (s_ask_px[15:0] > s_bid_px[15:0]));
    integer w;
    wire        eligible = s_emit && (s_flags == 8'd0) && (s_bid_sz != 32'd0) && (s_ask_sz != 32'd0) &&
                           ask_gt && spread_ok;
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
    wire unused_sym = ^{s_tob[`RG_TOB_SYM_LO + SYM_W +: `RG_TOB_SYM_W - SYM_W], sp_c[33], sp_lo[16:0], sp_hi0[15:0], sp_hi1[16:0]};

    always @(posedge clk) begin
        if (rst) begin
            v_q        <= 1'b0;
            ev_q       <= {`RG_EV_W{1'b0}};
            tob_q      <= {`RG_TOB_W{1'b0}};
            ord_q      <= {`RG_ORD_W{1'b0}};
            due_q      <= {(MAX_SYMBOLS*48){1'b0}};
            due_far_q  <= {MAX_SYMBOLS{1'b0}};
            pend_q     <= 1'b0;
            pend_sym_q <= {SYM_W{1'b0}};
            pend_due_q <= 48'd0;
            pend_far_q <= 1'b0;
        end else begin
            for (w = 0; w < MAX_SYMBOLS; w = w + 1)
                if (pend_q && pend_sym_q == w[SYM_W-1:0]) begin
                    due_q[w*48 +: 48] <= pend_due_q;
                    due_far_q[w]      <= pend_far_q;
                end
            pend_q <= adv && s_valid && decide;
            if (adv && s_valid) begin
                pend_sym_q <= s_sym;
                pend_due_q <= due_new[47:0];
                pend_far_q <= (due_new[64:48] != 17'd0);
            end
            if (adv) begin
                v_q <= s_valid;
                if (s_valid) begin
                    ev_q  <= s_ev;
                    tob_q <= s_tob;
                    ord_q <= ord_d;
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
