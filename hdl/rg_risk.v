// Pre-trade risk checks, fills and the risk state (spec sections 8.2, 8.3, 9).
//
// Owns every piece of state the checks read: kill switches, trading states, market_open,
// last trades, per-symbol limits and positions, per-account credit, throttle and duplicate
// window with the last accepted order. State updates travel in the event stream in message
// order (S, H, W, last trade from E/C/P, valid control messages), so the checks of message
// k see exactly the state after k.
//
// Three stages, one event per cycle. Every state variable is written in one stage, and read
// there too except what a decision checks (read in R1, where the decision waits when the
// event ahead may rewrite it, so back-to-back events need no forwarding between stages):
//   R0  last_trade and collar_bps (updates, then the reference price and |price - ref|), the
//       throttle window (ts >> shift), the symbol's account (configuration), the notional's
//       16 x 16 partial products (market data's and an order frame's)
//   R1  the products into registers (COLLAR: |price - ref| x 10000 > ref x collar; price x qty, the
//       partial products added up) and a decision's checks against the state as
//       registered (reads, writes no state): KILL,
//       HALTED (a per-symbol flag), MARKET_CLOSED, MAX_QTY, MAX_NOTIONAL, POSITION (the
//       quantity against the symbol's room up = limit - position and down = limit + position),
//       CREDIT (the notional against the account's headroom credit - used), THROTTLE (a
//       per-account flag count >= max_orders, selected by the window), DUPLICATE (the account's
//       last accepted order), and their OR (rx1_q). A decision right behind an event in R2 that
//       may rewrite any of it as it leaves waits one cycle in R1: a decision on the same symbol
//       or account, a client order on the account, a venue frame of either, a control op on
//       them (POSITION_LIMIT, MAX_QTY, MAX_NOTIONAL, SYMBOL_KILL; CREDIT_LIMIT, MAX_ORDERS,
//       DUP_WINDOW, ACCOUNT_KILL), H on the symbol; GLOBAL_KILL, a foreign frame, S or W (every
//       decision). What the event may rewrite is registered with it as it enters R2 (hz*1_q).
//   R2  the verdict (a decision: rx1_q and COLLAR), the order path's checks, and every state
//       update (position/credit/throttle/last-order on accept; the throttle and the last
//       accepted order are written a cycle later from registers, pw_*_q, which a decision's R1
//       checks read in that cycle). The order path's CREDIT compares the notional with the
//       account's headroom (kept beside used) instead of adding then comparing.
// Reason bits, control ops and bus fields come from the contract (rg_contract.vh).
//
// Client orders (spec section 18): rg_order_rx releases one order or venue frame at its
// position in the merged stream (md_hold keeps market data out meanwhile); it enters R0 as
// an event of its own with the frame's symbol, price and qty on the order bus, so the
// collar reference, the products and the throttle window come from the same datapath as a
// decision's. R0 reads its open-order slot (rg_open_orders, result at R1); R2 checks
// validity (section 18.2) and the reasons (section 18.3), applies the state changes
// (sections 18.3, 18.4) and puts the ORDER, FILL (leg >= 1) or PROBLEM record prebuilt on
// the event bus. An order event enters only while no other is in R0 or R1, so its slot read
// never misses a write of the one before. An order event takes R2 in three cycles (R2a, R2b
// register the order path's sums and the daily loss limit's product and sums; R2c decides
// and writes), market data takes it in one.
`default_nettype none
`include "rg_contract.vh"
module rg_risk #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer MAX_ACCOUNTS = 64,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer ACCT_W       = (MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1
) (
    input  wire                 clk,
    input  wire                 rst,

    // start-of-day configuration
    input  wire                 cfg_gate,
    input  wire [5:0]           cfg_w_shift,
    input  wire                 init_hdr_we,
    input  wire                 init_global_kill,
    input  wire                 init_sym_we,
    input  wire [SYM_W-1:0]     init_sym_idx,
    input  wire [ACCT_W-1:0]    init_sym_acct,
    input  wire                 init_sym_kill,
    input  wire [15:0]          init_sym_collar,
    input  wire [31:0]          init_sym_max_qty,
    input  wire [63:0]          init_sym_max_notional,
    input  wire [31:0]          init_sym_pos_limit,
    input  wire [31:0]          init_sym_pos,
    input  wire                 init_acct_we,
    input  wire [ACCT_W-1:0]    init_acct_idx,
    input  wire [31:0]          init_acct_id,
    input  wire [31:0]          init_acct_max_orders,
    input  wire [63:0]          init_acct_credit,
    input  wire [63:0]          init_acct_used,
    input  wire [63:0]          init_acct_dup_window,

    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire [`RG_EV_W-1:0]  s_ev,
    input  wire [`RG_TOB_W-1:0] s_tob,
    input  wire [`RG_ORD_W-1:0] s_ord,

    output wire                 m_valid,
    input  wire                 m_ready,
    output wire [`RG_EV_W-1:0]  m_ev,
    output wire [`RG_TOB_W-1:0] m_tob,
    output wire [`RG_ORD_W-1:0] m_ord,
    output wire [`RG_VRD_W-1:0] m_vrd,

    // client order frames (rg_order_rx), released at their position
    input  wire                 o_valid,
    output wire                 o_ready,
    input  wire                 o_venue,
    input  wire                 o_bad_len,
    input  wire [7:0]           o_type,
    input  wire [15:0]          o_len,
    input  wire                 o_foreign,
    input  wire                 o_fields_ok,
    input  wire [7:0]           o_action,
    input  wire [7:0]           o_side,
    input  wire [15:0]          o_account,
    input  wire [15:0]          o_symbol,
    input  wire [31:0]          o_order_id,
    input  wire [31:0]          o_qty,
    input  wire [31:0]          o_price,
    input  wire [47:0]          o_pos,
    input  wire [63:0]          o_t_first,
    input  wire [63:0]          o_t_last,
    // market data entering R0 (for rg_order_rx's position), and its hold
    input  wire                 md_hold,
    output wire                 md_fire,
    output wire                 md_seq_msg,

    output reg                  st_decision,
    output reg                  st_accepted,
    output reg                  st_rejected,
    output reg  [7:0]           st_problem,     // order path: PROBLEM code of a refused frame
    output reg                  st_control,     // order path: the GLOBAL_KILL of a foreign frame
    output reg                  st_fill,        // order path: a venue execution (FILL)
    output wire                 busy,           // the open-order table is clearing after reset
    output wire                 idle
);
    localparam integer NS = MAX_SYMBOLS;
    localparam integer NA = MAX_ACCOUNTS;
    localparam integer NP = 1 << (ACCT_W + SYM_W);     // pairs {account, symbol} of the loss limit

    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_MAX_ACCOUNTS(MAX_ACCOUNTS)
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1)
            || ACCT_W != ((MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1)) begin
            $error("rg_risk: SYM_W = %0d / ACCT_W = %0d differ from their derivation (instance %m)", SYM_W, ACCT_W);
            $finish;
        end
        if (`RG_NREASONS > `RG_VRD_REASONS_W) begin
            $error("rg_risk: %0d reasons do not fit the %0d-bit reasons field (instance %m)", `RG_NREASONS, `RG_VRD_REASONS_W);
            $finish;
        end
    end

    // room up / down of a position against its limit (35-bit signed; exact for u32 limits
    // and i32 positions)
    function [34:0] room_up(input [31:0] lim, input [31:0] pos);
        room_up = {3'b000, lim} - {{3{pos[31]}}, pos};
    endfunction
    function [34:0] room_dn(input [31:0] lim, input [31:0] pos);
        room_dn = {3'b000, lim} + {{3{pos[31]}}, pos};
    endfunction
    // DUPLICATE: the account's last accepted order (lv: there is one) has the same symbol,
    // side, price and qty and its window (dwin, 0 = off) has not elapsed (ts going backwards
    // counts as not elapsed). One test for a decision in R1, the order path in R2 and the
    // last accepted order still being written (pw_*_q).
    function dup_of(input lv, input [SYM_W-1:0] lsym, input lbuy, input [31:0] lpx, input [31:0] lqty,
                    input [47:0] lts, input [63:0] dwin, input [SYM_W-1:0] sym, input buy,
                    input [31:0] px, input [31:0] qty, input [47:0] ts);
        reg [47:0] age;
        begin
            age    = ts - lts;
            dup_of = (dwin != 64'd0) && lv && (lsym == sym) && (lbuy == buy) && (lpx == px) && (lqty == qty) &&
                     ((ts < lts) || ({16'd0, age} < dwin));
        end
    endfunction

    // the 48-bit field of account i and the 35-bit field of symbol i, selected with constant
    // slices: an index times 48 or 35 synthesises into a multiplier, which yosys maps to a
    // MULT18X18D (a1 x 48 into the rate window's write enables was 066ecdc's critical path).
    // A balanced tree of 2:1 muxes, one level per index bit (an if per index is a priority
    // chain: sym35 as one was f428179's critical path, sym0 -> up0/dn0 -> POSITION -> rx1_q)
    function [47:0] acct48(input [NA*48-1:0] v, input [ACCT_W-1:0] i);
        reg [(1 << ACCT_W)*48-1:0] t;
        integer k, l;
        begin
            t = {(1 << ACCT_W){v[47:0]}};
            t[NA*48-1:0] = v;
            for (l = 0; l < ACCT_W; l = l + 1)
                for (k = 0; k < ((1 << ACCT_W) >> (l + 1)); k = k + 1)
                    t[k*48 +: 48] = i[l] ? t[(2*k+1)*48 +: 48] : t[(2*k)*48 +: 48];
            acct48 = t[47:0];
        end
    endfunction
    function [34:0] sym35(input [NS*35-1:0] v, input [SYM_W-1:0] i);
        reg [(1 << SYM_W)*35-1:0] t;
        integer k, l;
        begin
            t = {(1 << SYM_W){v[34:0]}};
            t[NS*35-1:0] = v;
            for (l = 0; l < SYM_W; l = l + 1)
                for (k = 0; k < ((1 << SYM_W) >> (l + 1)); k = k + 1)
                    t[k*35 +: 35] = i[l] ? t[(2*k+1)*35 +: 35] : t[(2*k)*35 +: 35];
            sym35 = t[34:0];
        end
    endfunction

    // ---------------------------------------------------------------- state
    reg                  global_kill_q, market_open_q;
    reg [NS-1:0]         kill_q;
    reg [NS-1:0]         halt_q;           // trading state != 'T' (HALTED)
    reg [NS*32-1:0]      last_trade_q;     // R1
    reg [NS-1:0]         ltnz_q;           // last_trade_q of the symbol != 0, written with it
    reg [NS*16-1:0]      collar_q;         // R1
    reg [NS*32-1:0]      max_qty_q;
    reg [NS*64-1:0]      max_not_q;
    reg [NS*32-1:0]      pos_lim_q;
    reg [NS*32-1:0]      pos_q;            // signed
    // POSITION (spec: |pos +- qty| > limit), kept as the room up_q = limit - pos and
    // dn_q = limit + pos (35-bit signed), rewritten whenever the limit or the position changes
    reg [NS*35-1:0]      up_q, dn_q;
    reg [NS*ACCT_W-1:0]  acct_of_q;
    reg [NA*32-1:0]      acct_id_q;
    reg [NA*32-1:0]      max_ord_q;
    reg [NA*64-1:0]      used_q;
    // CREDIT (spec: saturating used + notional > credit), kept as: over_q (used > credit),
    // cmax_q (credit = 2^64 - 1: never exceeded) and head_q = credit - used when not over
    reg [NA-1:0]         over_q, cmax_q;
    reg [NA*64-1:0]      head_q;
    reg [NA*48-1:0]      thr_win_q;
    reg [NA*32-1:0]      thr_cnt_q;
    // THROTTLE (spec: the count in the current window >= max_orders), kept as full_q
    // (thr_cnt >= max_orders) and zmax_q (max_orders = 0: what a new window's count of 0
    // meets), rewritten whenever the count or the limit changes, so R2 selects a bit by the
    // window instead of comparing 32 bits
    reg [NA-1:0]         thr_full_q, thr_zmax_q;
    reg [NA*64-1:0]      dup_win_q;        // DUPLICATE window, ns (0 = off)
    reg [NA-1:0]         lo_valid_q;       // last accepted order of the account
    reg [NA*SYM_W-1:0]   lo_sym_q;
    reg [NA-1:0]         lo_buy_q;
    reg [NA*32-1:0]      lo_px_q;
    reg [NA*32-1:0]      lo_qty_q;
    reg [NA*48-1:0]      lo_ts_q;
    // order entry (section 18): ops 11..14, Reg SHO, the best bid of the last TOB record,
    // the rate windows, the FILL legs at one S, and last_ts at the R0 input
    reg [NA*32-1:0]      max_open_q;
    reg [NA-1:0]         acct_kill_q;      // control op ACCOUNT_KILL (or the daily loss limit)
    // the daily loss limit (section 18.8): op MAX_DAILY_LOSS, the cash flow and the marked
    // value of each account's venue executions (i64), and which (account, symbol) pairs of
    // the pair RAM hold a position or a term (the RAM itself is not reset)
    reg [NA*64-1:0]      loss_lim_q, cash_q, mkd_q;
    reg [NP-1:0]         pv_q;
    reg [NA-1:0]         ro_acct_q;
    reg [NS-1:0]         ro_sym_q;
    reg [NA*32-1:0]      max_rate_q;
    reg [NS-1:0]         ssr_q;
    reg [NS*32-1:0]      bid_q;
    reg [NA*48-1:0]      rate_win_q;
    reg [NA*32-1:0]      rate_cnt_q;
    reg [47:0]           leg_seq_q;
    reg [7:0]            legs_q;
    reg [47:0]           last_ts_q;

    // ---------------------------------------------------------------- pipeline registers
    reg                 v0_q;
    reg [`RG_EV_W-1:0]  ev0_q;
    reg [`RG_TOB_W-1:0] tob0_q;
    reg [`RG_ORD_W-1:0] ord0_q;
    reg                 noref0_q;
    reg [31:0]          ref0_q, pdiff0_q;
    reg [15:0]          coll0_q;
    reg [ACCT_W-1:0]    a0r_q;             // the symbol's account (acct_of_q is configuration)
    reg [47:0]          win0_q;            // throttle window of ts

    reg                 v1_q;
    reg [`RG_EV_W-1:0]  ev1_q;
    reg [`RG_TOB_W-1:0] tob1_q;
    reg [`RG_ORD_W-1:0] ord1_q;
    reg                 noref1_q;
    reg                 col1_q;            // COLLAR: |price - ref| x 10000 > ref x collar_bps, ref != 0
    reg [63:0]          not1_q;
    reg [47:0]          win1_q;            // throttle window of ts
    reg [ACCT_W-1:0]    a1_q;              // the symbol's account
    reg                 px1_q;             // POSITION of a market-data event (from R1)
    // the notional (price x qty) in 16 x 16 partial products from R0's inputs (one MULT18X18D
    // each, registered with no adder after it): market data's (ns*0_q) and an order frame's
    // (no*0_q): {ph x qh, pl x ql}, ph x ql, pl x qh; summed in R1 (not1_q, and a decision's
    // CREDIT and MAX_NOTIONAL against them in carry-save form)
    reg [63:0]          nsx0_q, nox0_q;
    reg [31:0]          nsy0_q, nsz0_q, noy0_q, noz0_q;
    reg                 cx1_q;             // CREDIT of a market-data event (from R1)
    reg                 thx1_q, dup1_q;    // THROTTLE, DUPLICATE of a market-data event (from R1)
    reg                 mq1_q, mn1_q;      // MAX_QTY, MAX_NOTIONAL of a market-data event (from R1)
    reg                 kx1_q, hx1_q, clx1_q; // KILL, HALTED, MARKET_CLOSED of a market-data event (from R1)
    reg                 rx1_q;             // any reason a market-data event's R1 registers hold
    // what the event in R2 may rewrite of a decision's R1 checks as it leaves: an account's
    // (a decision, a client order, a venue frame — its loss limit trip too; CREDIT_LIMIT,
    // MAX_ORDERS, DUP_WINDOW, ACCOUNT_KILL on the target) and a symbol's (a decision, a venue
    // frame; POSITION_LIMIT, MAX_QTY, MAX_NOTIONAL, SYMBOL_KILL on the target)
    reg                 hza1_q, hzs1_q, hca1_q, hcs1_q;
    // and the switches: every decision's (GLOBAL_KILL, a foreign frame, S, W), the symbol's (H)
    reg                 hcg1_q, hhs1_q;
    reg [ACCT_W-1:0]    hzacct1_q;
    reg [SYM_W-1:0]     hzsym1_q;
    // The last accepted order (lo_*) and the throttle (thr_win, thr_cnt, thr_full) of an
    // accepted event's account are written one cycle after it leaves R2, from these registers
    // (loaded every cycle; pw_we_q: an accept left R2), so the accept (a client order's comes
    // after the loss limit's trip) drives one flip-flop instead of every account's write
    // enables. In that cycle a decision's R1 checks take them from here (pw_hit0), a
    // MAX_ORDERS its count; R2 never reads them then (a decision or client order on the same
    // account waits in R1 behind the accept, and an order event's R2 reads from its second cycle).
    reg                 pw_we_q;
    reg [ACCT_W-1:0]    pw_acct_q;
    reg [SYM_W-1:0]     pw_sym_q;
    reg                 pw_buy_q, pw_full_q;
    reg [31:0]          pw_px_q, pw_qty_q, pw_cnt_q;
    reg [47:0]          pw_ts_q, pw_win_q;

    // the order frame riding along an order event (R0 -> R1 -> R2)
    reg                 oe0_q, oe1_q;
    reg                 ov0_q, ov1_q;        // venue frame
    reg                 obl0_q, obl1_q;      // wrong length (a host error)
    reg                 ofr0_q, ofr1_q;      // foreign fingerprint
    reg                 ook0_q;              // the stateless checks of section 18.2 passed
    reg [7:0]           oty0_q, oty1_q;
    reg [15:0]          olen0_q, olen1_q;
    reg [7:0]           oact0_q, oact1_q;
    reg [7:0]           osd0_q, osd1_q;
    reg [15:0]          oac0_q, oac1_q;
    reg [15:0]          osy0_q, osy1_q;
    reg [31:0]          oid0_q, oid1_q;
    // the slot as read (R1 registers; its open notional's partial products are taken from
    // these in R2a)
    reg [31:0]          sl_open1_q, sl_price1_q;
    reg [ACCT_W-1:0]    sl_acct1_q;
    reg [SYM_W-1:0]     sl_sym1_q;
    reg [7:0]           sl_side1_q;
    // a client order's or venue frame's validity (section 18.2), taken in R1 from the slot as
    // read and the frame (and leg_seq_q, which only this event rewrites while it is in R1 and
    // R2: order events are one at a time in R0-R1, and the event ahead of it is market data),
    // registered with it: ordc1_q a valid client order, venc1_q a valid venue frame, pex*1_q a
    // valid venue execution of a buy / sell slot, qx1_q its qty (0 unless a venue execution
    // whose tests other than the slot's passed: pexf0), vleg1_q the FILL leg
    reg                 ordc1_q, venc1_q, pexb1_q, pexs1_q;
    reg [31:0]          qx1_q;
    reg [7:0]           vleg1_q;

    reg                 v2_q;
    reg [`RG_EV_W-1:0]  ev2_q;
    reg [`RG_TOB_W-1:0] tob2_q;
    reg [`RG_ORD_W-1:0] ord2_q;
    reg [`RG_VRD_W-1:0] vrd2_q;

    // An order event stays in R2 for three cycles (ph_q 0, 1, 2): the order path's sums and
    // the daily loss limit's product and P&L are registered on the way (R2a, R2b) and the
    // event's state changes, verdict and record come from those registers in the third cycle
    // (R2c). Market data takes R2 in one cycle. Order events are at least three cycles apart
    // anyway (one at a time in R0-R1), so the order path loses no throughput; market data
    // behind an order event waits two cycles.
    reg  [1:0] ph_q;
    wire adv2  = !v2_q || m_ready;
    wire hold2 = v1_q && oe1_q && (ph_q != 2'd2);
    wire go2   = adv2 && !hold2;
    wire fire2 = v1_q && go2;            // the event in R2 applies its changes and moves on
    wire adv1 = !v1_q || go2;
    // A decision's POSITION check is taken in R1 against the rooms as registered (px1_q). When
    // the event in R2 may rewrite the rooms of the decision's symbol as it leaves (a decision on
    // the same symbol, its POSITION_LIMIT, a venue frame), the decision waits one cycle in R1
    // (a bubble into R2) and is checked against the rooms that event left.
    wire r1_haz;
    wire mv1  = adv1 && !r1_haz;         // the event in R1 moves to R2
    wire adv0 = !v0_q || mv1;

    // ---------------------------------------------------------------- input: market data or an order frame
    // an order frame enters when due (market data is held then) and no order event is in R0
    // or R1; market data enters when no frame is due
    // (v0_q && oe0_q) || (v1_q && oe1_q) is kept in a register of its own (obz_q, its next
    // value from the loads of R0 and R1 below), so take_o, which selects R0's whole input and
    // the slot read's address, is one LUT from flip-flops: from v1_q it went through R2's hold
    // (ph_q) into take_o's fan-out and R0's reference price (2d0903d's seed-2 critical path,
    // v1_q -> ph_q -> take_o -> ref_px -> noref0_q, 13.32 ns)
    reg  obz_q;
    wire oe_busy   = obz_q || busy;
    wire take_o    = o_valid && !oe_busy;
    assign o_ready = adv0 && take_o;
    assign s_ready = adv0 && !md_hold;
    wire in_md     = s_valid && s_ready;
    wire in_valid  = in_md || o_ready;
    assign md_fire = in_md;
    // a control message (valid, foreign or refused) takes no seq
    assign md_seq_msg = !((s_ev[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W] == `RG_UPD_CTRL) ||
                          (s_ev[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W] == `RG_REC_PROBLEM &&
                           s_ev[`RG_EV_RAUX_LO +: `RG_EV_RAUX_W] == `RG_PROB_BAD_CONTROL));

    // the order event: at its position, ts = last_ts, the frame's symbol, side, price, qty
    reg [`RG_EV_W-1:0]  o_ev;
    reg [`RG_TOB_W-1:0] o_tob;
    reg [`RG_ORD_W-1:0] o_ord;
    always @(*) begin
        o_ev  = {`RG_EV_W{1'b0}};
        o_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W]     = o_pos;
        o_ev[`RG_EV_TS_LO +: `RG_EV_TS_W]       = last_ts_q;
        o_ev[`RG_EV_TOFF_LO +: `RG_EV_TOFF_W]   = o_t_first;
        o_ev[`RG_EV_TLAST_LO +: `RG_EV_TLAST_W] = o_t_last;
        o_tob = {`RG_TOB_W{1'b0}};
        o_tob[`RG_TOB_SYM_LO +: `RG_TOB_SYM_W]  = o_symbol[7:0];
        o_ord = {`RG_ORD_W{1'b0}};
        o_ord[`RG_ORD_BUY_LO]                   = (o_side == `RG_ASCII_B);
        o_ord[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W] = o_price;
        o_ord[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W]  = o_qty;
    end
    // the input is selected by take_o, not o_ready: the same whenever R0 loads (adv0; market
    // data is held while a frame is due), and the select (and the slot read's address) does
    // not wait for adv0 and the R1 wait behind it
    wire [`RG_EV_W-1:0]  i_ev  = take_o ? o_ev  : s_ev;
    wire [`RG_TOB_W-1:0] i_tob = take_o ? o_tob : s_tob;
    wire [`RG_ORD_W-1:0] i_ord = take_o ? o_ord : s_ord;

    // ---------------------------------------------------------------- R0 datapath
    wire [2:0]       s_ukind = i_ev[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W];
    wire [SYM_W-1:0] s_usym  = i_ev[`RG_EV_USYM_LO +: SYM_W];
    wire [7:0]       s_ucode = i_ev[`RG_EV_UCODE_LO +: `RG_EV_UCODE_W];
    wire [31:0]      s_uval  = i_ev[`RG_EV_UVAL_LO +: 32];
    wire [15:0]      s_utgt  = i_ev[`RG_EV_UTGT_LO +: `RG_EV_UTGT_W];
    wire [SYM_W-1:0] s_sym   = i_tob[`RG_TOB_SYM_LO +: SYM_W];
    wire             s_last_upd = in_md && (s_ukind == `RG_UPD_LAST);
    wire             s_coll_upd = in_md && (s_ukind == `RG_UPD_CTRL) && (s_ucode == `RG_CTRL_COLLAR_BPS);

    // the reference price, |price - ref| and ref = 0 are taken for market data (from s_*, with
    // the event's own last trade) and for the order frame (from o_*: an order event carries no
    // update) side by side, then selected by take_o; ref = 0 from ltnz_q (no 32-bit test after
    // the select)
    wire [SYM_W-1:0] md_sym  = s_tob[`RG_TOB_SYM_LO +: SYM_W];
    wire [31:0]      md_px   = s_ord[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire [31:0]      md_uval = s_ev[`RG_EV_UVAL_LO +: 32];
    wire             md_own  = (s_ev[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W] == `RG_UPD_LAST) &&
                               (s_ev[`RG_EV_USYM_LO +: SYM_W] == md_sym);
    wire [31:0]      md_ref  = md_own ? md_uval : last_trade_q[md_sym*32 +: 32];
    wire             md_nor  = md_own ? (md_uval == 32'd0) : !ltnz_q[md_sym];
    wire [32:0]      md_pmr  = {1'b0, md_px} - {1'b0, md_ref};
    wire [31:0]      md_pd   = md_pmr[32] ? (md_ref - md_px) : md_pmr[31:0];
    wire [SYM_W-1:0] of_sym  = o_symbol[SYM_W-1:0];
    wire [31:0]      of_ref  = last_trade_q[of_sym*32 +: 32];
    wire             of_nor  = !ltnz_q[of_sym];
    wire [32:0]      of_pmr  = {1'b0, o_price} - {1'b0, of_ref};
    wire [31:0]      of_pd   = of_pmr[32] ? (of_ref - o_price) : of_pmr[31:0];
    wire [31:0] ref_px   = take_o ? of_ref : md_ref;
    wire        noref_i  = take_o ? of_nor : md_nor;
    wire [31:0] pdiff    = take_o ? of_pd : md_pd;
    // the notional of market data and of an order frame in partial products, each from the
    // stage's input (not through the order frame's select)
    wire [31:0] s_qty    = s_ord[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W];
    wire [31:0] s_px     = s_ord[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];

    // ---------------------------------------------------------------- R1 datapath
    wire [47:0]       ts0      = ev0_q[`RG_EV_TS_LO +: `RG_EV_TS_W];
    wire [SYM_W-1:0]  sym0     = tob0_q[`RG_TOB_SYM_LO +: SYM_W];
    wire [31:0]       price0   = ord0_q[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire [31:0]       qty0     = ord0_q[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W];
    // COLLAR (|price - ref| x 10000 > ref x collar_bps) is decided here and registered (col1_q):
    // rhs - lhs < 0 in 49 bits (lhs < 2^46, rhs < 2^48), from the four 16-bit pieces' products
    // (one MULT18X18D each) in two carry-save steps and one carry chain. It was compared in R2
    // from the registered products, 48 bits in front of a decision's accept and every state
    // write (4af3b2c's seed-1 critical path: crhs1_q -> clhs1_q > crhs1_q -> the verdict ->
    // pos_q, 13.46 ns)
    wire [29:0]       cl_lo    = pdiff0_q[15:0] * 14'd10000;
    wire [29:0]       cl_hi    = pdiff0_q[31:16] * 14'd10000;
    wire [31:0]       cr_lo    = ref0_q[15:0] * coll0_q;
    wire [31:0]       cr_hi    = ref0_q[31:16] * coll0_q;
    // rhs - lhs = cr_lo + cr_hi << 16 + ~cl_lo + ~(cl_hi << 16) + 2 (the two 1s in the carry
    // vectors' free low bits)
    wire [48:0]       cc_a     = {17'd0, cr_lo};
    wire [48:0]       cc_b     = {1'b0, cr_hi, 16'd0};
    wire [48:0]       cc_c     = ~{19'd0, cl_lo};
    wire [48:0]       cc_d     = ~{3'd0, cl_hi, 16'd0};
    wire [48:0]       cc_s1    = cc_a ^ cc_b ^ cc_c;
    wire [48:0]       cc_k1    = {(cc_a[47:0] & cc_b[47:0]) | (cc_a[47:0] & cc_c[47:0]) | (cc_b[47:0] & cc_c[47:0]), 1'b1};
    wire [48:0]       cc_s2    = cc_s1 ^ cc_k1 ^ cc_d;
    wire [48:0]       cc_k2    = {(cc_s1[47:0] & cc_k1[47:0]) | (cc_s1[47:0] & cc_d[47:0]) | (cc_k1[47:0] & cc_d[47:0]), 1'b1};
    wire [48:0]       cc_t     = cc_s2 + cc_k2;
    wire              coll_x0  = !noref0_q && cc_t[48];
    // the notional: the partial products of R0 added up (market data's or the order frame's)
    wire [63:0]       nt_x     = oe0_q ? nox0_q : nsx0_q;
    wire [63:0]       nt_y     = {16'd0, oe0_q ? noy0_q : nsy0_q, 16'd0};
    wire [63:0]       nt_z     = {16'd0, oe0_q ? noz0_q : nsz0_q, 16'd0};
    wire [63:0]       nt_s     = nt_x ^ nt_y ^ nt_z;
    wire [63:0]       nt_c     = {(nt_x[62:0] & nt_y[62:0]) | (nt_x[62:0] & nt_z[62:0]) | (nt_y[62:0] & nt_z[62:0]), 1'b0};
    wire [63:0]       notional = nt_s + nt_c;
    // a market-data decision's notional in carry-save form, n = ns_s + ns_c (exact in 66 bits),
    // for CREDIT and MAX_NOTIONAL: v - n < 0 with v - n = v + ~ns_s + ~ns_c + 2 (66 bits), one
    // more carry-save step and one add each
    wire [65:0]       ns_x     = {2'd0, nsx0_q};
    wire [65:0]       ns_y     = {18'd0, nsy0_q, 16'd0};
    wire [65:0]       ns_z     = {18'd0, nsz0_q, 16'd0};
    wire [65:0]       ns_s     = ns_x ^ ns_y ^ ns_z;
    wire [65:0]       ns_c     = {(ns_x[64:0] & ns_y[64:0]) | (ns_x[64:0] & ns_z[64:0]) | (ns_y[64:0] & ns_z[64:0]), 1'b0};
    // v - (ss + cc) in bits 66:1 (its sign at 66)
    function [66:0] sub_cs(input [63:0] v, input [65:0] ss, input [65:0] cc);
        reg [65:0] a, b, c, t, u;
        begin
            a = {2'd0, v}; b = ~ss; c = ~cc;
            t = a ^ b ^ c;
            u = {(a[64:0] & b[64:0]) | (a[64:0] & c[64:0]) | (b[64:0] & c[64:0]), 1'b1};
            sub_cs = {t, 1'b1} + {u, 1'b1};      // t + u + 1: with u's low 1, + 2
        end
    endfunction
    wire              dec0     = ord0_q[`RG_ORD_DEC_LO];
    wire              buy0     = ord0_q[`RG_ORD_BUY_LO];
    // POSITION of the event in R1 against its symbol's rooms as registered (see pos_x)
    wire [34:0]       up0      = sym35(up_q, sym0);
    wire [34:0]       dn0      = sym35(dn_q, sym0);
    wire [34:0]       qty0_35  = {3'b000, qty0};
    wire [34:0]       same0    = buy0 ? up0 : dn0;
    wire [34:0]       other0   = (buy0 ? dn0 : up0) + qty0_35;
    wire              pos_x0   = ($signed(qty0_35) > $signed(same0)) || other0[34];
    // CREDIT of a decision in R1 against its account's headroom as registered (see credit_x):
    // over, or notional > credit - used (unless credit = 2^64 - 1)
    wire [ACCT_W-1:0] a0       = a0r_q;
    wire [66:0]       head_sub0 = sub_cs(head_q[a0*64 +: 64], ns_s, ns_c);
    wire              cx0      = over_q[a0] || (!cmax_q[a0] && head_sub0[66]);
    // KILL, HALTED, MARKET_CLOSED, THROTTLE, DUPLICATE, MAX_QTY and MAX_NOTIONAL of a decision
    // in R1, against the state as registered (the same one-cycle wait behind an event in R2
    // that may rewrite it: a decision or client order on the account, a venue frame of it, its
    // MAX_ORDERS, DUP_WINDOW or ACCOUNT_KILL; the symbol's MAX_QTY, MAX_NOTIONAL, SYMBOL_KILL
    // or H; GLOBAL_KILL, a foreign frame, S, W); the order path's are checked in R2
    // (the account's throttle and last accepted order from pw_*_q while they are being written)
    wire              pw_hit0  = pw_we_q && (pw_acct_q == a0);
    wire              thx0_st  = (acct48(thr_win_q, a0) == win0_q) ? thr_full_q[a0] : thr_zmax_q[a0];
    wire              thx0_pw  = (pw_win_q == win0_q) ? pw_full_q : thr_zmax_q[a0];
    wire              thx0     = pw_hit0 ? thx0_pw : thx0_st;
    wire [63:0]       dwin0    = dup_win_q[a0*64 +: 64];
    wire              dup0_st  = dup_of(lo_valid_q[a0], lo_sym_q[a0*SYM_W +: SYM_W], lo_buy_q[a0], lo_px_q[a0*32 +: 32],
                                        lo_qty_q[a0*32 +: 32], acct48(lo_ts_q, a0), dwin0, sym0, buy0, price0, qty0, ts0);
    wire              dup0_pw  = dup_of(1'b1, pw_sym_q, pw_buy_q, pw_px_q, pw_qty_q, pw_ts_q, dwin0, sym0, buy0, price0, qty0, ts0);
    wire              dup0     = pw_hit0 ? dup0_pw : dup0_st;
    wire              mq0      = (qty0 > max_qty_q[sym0*32 +: 32]);
    wire [66:0]       mn_sub0  = sub_cs(max_not_q[sym0*64 +: 64], ns_s, ns_c);
    wire              mn0      = mn_sub0[66];
    wire              kx0      = global_kill_q || kill_q[sym0] || acct_kill_q[a0];
    wire [2:0]        ukind0   = ev0_q[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W];
    wire              ctl0     = (ukind0 == `RG_UPD_CTRL);
    wire [7:0]        ucode0   = ev0_q[`RG_EV_UCODE_LO +: `RG_EV_UCODE_W];

    // ---------------------------------------------------------------- R2 datapath
    wire [47:0]       ts1     = ev1_q[`RG_EV_TS_LO +: `RG_EV_TS_W];
    wire [SYM_W-1:0]  sym1    = tob1_q[`RG_TOB_SYM_LO +: SYM_W];
    wire              dec1    = ord1_q[`RG_ORD_DEC_LO];
    wire              buy1    = ord1_q[`RG_ORD_BUY_LO];
    wire [31:0]       dpx1    = ord1_q[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire [31:0]       dqty1   = ord1_q[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W];
    wire [ACCT_W-1:0] a1      = a1_q;
    wire [31:0]       pos1    = pos_q[sym1*32 +: 32];
    wire [33:0]       pos_new = {{2{pos1[31]}}, pos1} + (buy1 ? {2'b00, dqty1} : -{2'b00, dqty1});
    // |pos + d| > lim  <=>  d > lim - pos  or  lim + pos + d < 0; with d = qty (buy) or -qty
    // (sell): qty > room on the order's side, or the other side's room + qty < 0. Two carry
    // chains side by side from registers, instead of add, absolute value, compare.
    wire [34:0]       up1     = sym35(up_q, sym1);
    wire [34:0]       dn1     = sym35(dn_q, sym1);
    wire [34:0]       room_same  = buy1 ? up1 : dn1;
    wire [34:0]       room_other = buy1 ? dn1 : up1;
    wire              pos_x   = px1_q;
    // the room after an accepted order, from the wrapped 32-bit position it leaves
    wire [31:0]       lim1    = pos_lim_q[sym1*32 +: 32];
    wire [34:0]       up_new  = room_up(lim1, pos_new[31:0]);
    wire [34:0]       dn_new  = room_dn(lim1, pos_new[31:0]);
    wire [64:0]       used_sum = {1'b0, used_q[a1*64 +: 64]} + {1'b0, not1_q};
    wire [63:0]       used_new = used_sum[64] ? 64'hFFFF_FFFF_FFFF_FFFF : used_sum[63:0];
    // saturating used + notional > credit  <=>  over, or notional > credit - used (unless
    // credit = 2^64 - 1, which a saturated sum never exceeds)
    wire [64:0]       head_sub = {1'b0, head_q[a1*64 +: 64]} - {1'b0, not1_q};
    // a decision's CREDIT was checked in R1 (cx1_q, against the headroom as registered: the
    // decision waited there while the event ahead could rewrite it); the order path's here
    // (head - n < 0 from hn_a_q, R2a's register of the same difference: the headroom is steady
    // while an order event is in R2, so the carry chain does not start at a1's fan-out)
    wire              credit_x = over_q[a1] || (!cmax_q[a1] && hn_a_q[65]);
    wire [63:0]       head_new = head_sub[64] ? 64'd0 : head_sub[63:0];   // on accept (saturated used)
    wire [47:0]       win     = win1_q;
    wire              thr_same = (acct48(thr_win_q, a1) == win);
    wire [31:0]       cnt_in  = thr_same ? thr_cnt_q[a1*32 +: 32] : 32'd0;
    wire              thr_x   = thr_same ? thr_full_q[a1] : thr_zmax_q[a1];
    // after an accepted order (THROTTLE passed: cnt_in < max_orders) the count is full
    // exactly when cnt_in + 1 reaches max_orders
    wire [31:0]       cnt_nx  = cnt_in + 32'd1;
    wire              full_nx = (cnt_nx == max_ord_q[a1*32 +: 32]);

    // DUPLICATE of a client order (dup_of)
    wire        o_dup_x  = dup_of(lo_valid_q[a1], lo_sym_q[a1*SYM_W +: SYM_W], lo_buy_q[a1], lo_px_q[a1*32 +: 32],
                                  lo_qty_q[a1*32 +: 32], acct48(lo_ts_q, a1), dup_win_q[a1*64 +: 64], sym1, buy1, dpx1, dqty1, ts1);

    // ---------------------------------------------------------------- R2: the order path
    // the open-order table: the slot of the frame entering R0 (held while it waits there),
    // the sums of the order's symbol and account
    wire [31:0]       sum_ob, sum_os;
    wire [63:0]       sum_on;
    wire [12:0]       sum_oc;
    wire [31:0]       rdm_open, rdm_price;
    wire              rdm_nz;
    wire [ACCT_W-1:0] rdm_acct;
    wire [SYM_W-1:0]  rdm_sym;
    wire [7:0]        rdm_side;
    // The table's operation (place, replace: an accepted client order; reduce: a venue frame)
    // is applied a cycle after the event leaves R2, from registers: the strobes loaded as it
    // leaves (po_place_q ...), the operands every cycle (an order event holds them for its
    // three R2 cycles, so they are steady from two cycles before the operation, as
    // rg_open_orders needs). So a client order's accept drives three flip-flops instead of
    // the table's sums. The sums are read by the next order event's R2, two cycles after
    // the operation at the earliest; a slot read in the operation's cycle returns the slot as
    // it was, so the slot as written is taken from registers then (ps_*_q: the slot read and
    // the operation's id matched; place writes every field, replace the price and the open
    // shares, reduce the open shares).
    reg               po_place_q, po_replace_q, po_reduce_q;
    reg [11:0]        po_id_q;
    reg [ACCT_W-1:0]  po_acct_q;
    reg [SYM_W-1:0]   po_sym_q;
    reg [7:0]         po_side_q;
    reg [31:0]        po_old_open_q, po_old_price_q, po_price_q, po_qty_q;
    reg               ps_hit_q, ps_hpx_q, ps_hnew_q;
    reg [31:0]        ps_open_q, ps_price_q;
    reg [ACCT_W-1:0]  ps_acct_q;
    reg [SYM_W-1:0]   ps_sym_q;
    reg [7:0]         ps_side_q;
    wire [31:0]       rd_open  = ps_hit_q  ? ps_open_q  : rdm_open;
    wire [31:0]       rd_price = ps_hpx_q  ? ps_price_q : rdm_price;
    wire [ACCT_W-1:0] rd_acct  = ps_hnew_q ? ps_acct_q  : rdm_acct;
    wire [SYM_W-1:0]  rd_sym   = ps_hnew_q ? ps_sym_q   : rdm_sym;
    wire [7:0]        rd_side  = ps_hnew_q ? ps_side_q  : rdm_side;
    wire              po_any   = po_place_q || po_replace_q || po_reduce_q;
    wire              ps_hit   = po_any && (take_o ? (o_order_id[11:0] == po_id_q) : (oid0_q[11:0] == po_id_q));

    wire              o_enter  = (oact1_q == `RG_ASCII_O);
    wire              o_repl   = (oact1_q == `RG_ASCII_U);
    wire              o_exec   = (oact1_q == `RG_ASCII_E);
    wire              sl_buy   = (sl_side1_q == `RG_ASCII_B);
    // section 18.2 (the part that reads the table and the leg count) is taken in R1 (ordc1_q,
    // venc1_q, from the slot as read: see there)
    wire              o_order_c = oe1_q && ordc1_q;   // a client order, checked
    wire              o_ven_c   = oe1_q && venc1_q;   // a venue answer, applied
    // R1: the validity of the order event in R1 (section 18.2 item 2 for an order, the slot,
    // the qty and the leg count for a venue frame; the stateless checks are ook0_q)
    wire              enter0   = (oact0_q == `RG_ASCII_O);
    wire              exec0    = (oact0_q == `RG_ASCII_E);
    wire [47:0]       seq0     = ev0_q[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W];
    // the tests of the slot as read are taken on the RAM's output and on the bypass registers
    // (ps_*_q) side by side and then selected, so the RAM output does not pass a select
    // before its compare (and carry chain)
    // (the slot is open: the table's nonzero bit beside the open shares, no 32-bit test after
    // the RAM; 12f9e50's seed-1 critical path, open_m -> rdm_open != 0 -> the validity -> pexs1_q)
    wire              rd_isopen = ps_hit_q ? (ps_open_q != 32'd0) : rdm_nz;
    wire              rd_sideb = ps_hnew_q ? (ps_side_q == `RG_ASCII_B) : (rdm_side == `RG_ASCII_B);
    wire              rd_qle   = ps_hit_q ? (qty0 <= ps_open_q) : (qty0 <= rdm_open);
    wire              rd_same  = ps_hnew_q ?
                                 (({{(16-ACCT_W){1'b0}}, ps_acct_q} == oac0_q) && ({{(16-SYM_W){1'b0}}, ps_sym_q} == osy0_q) &&
                                  (ps_side_q == osd0_q)) :
                                 (({{(16-ACCT_W){1'b0}}, rdm_acct} == oac0_q) && ({{(16-SYM_W){1'b0}}, rdm_sym} == osy0_q) &&
                                  (rdm_side == osd0_q));
    // The event is valid (section 18.2) when its tests from flip-flops pass (a client order:
    // ordf0; a venue frame: venf0; a venue execution: pexf0, the stateless checks ook0_q, the
    // id and the leg count) and its slot's: a client order's enter needs a free slot, a
    // replace an open one with the same account, symbol and side (rd_same); a venue frame an
    // open slot with qty <= open (ven_sl0). The registers of R1 take the two parts' AND, so the
    // RAM output passes the slot tests and one AND (12f9e50's seed-1 critical path went from
    // open_m through rdm_open != 0 and the validity's selects into pexs1_q, 13.43 ns).
    // pexf0 alone selects qx1_q, so the slot RAM's output does not fan out into 32 bits
    // (2d0903d's seed-1 critical path, u_open.open_m -> rd_qle -> pex0 -> qx1_q, 13.72 ns). When
    // the slot's tests fail (pexf0 = 1) the event is no execution: pexb1_q = pexs1_q = 0, so no
    // re-mark (rmk_a_q), no pair write and no trip reads the products of qx1_q
    wire              pexf0    = oe0_q && ov0_q && exec0 && !obl0_q && !ofr0_q && ook0_q &&
                                 (oid0_q < `RG_ORDER_SLOTS) && (leg_seq_q != seq0 || legs_q != 8'hFF);
    wire              ordf0    = oe0_q && !ov0_q && !obl0_q && !ofr0_q && ook0_q;
    wire              venf0    = oe0_q && ov0_q && !obl0_q && !ofr0_q && ook0_q && (oid0_q < `RG_ORDER_SLOTS) &&
                                 (!exec0 || leg_seq_q != seq0 || legs_q != 8'hFF);
    wire              ven_sl0  = rd_isopen && rd_qle;
    // R2a registers (loaded every cycle; an order event's are valid from its second R2 cycle:
    // the state it reads changes only when an event leaves R2)
    reg               oo_a_q, ov_a_q;
    reg [31:0]        obx_a_q, osx_a_q;
    reg [63:0]        son_a_q;
    reg [12:0]        ocx_a_q;
    wire              o_order   = oe1_q && oo_a_q;
    wire              o_ven     = oe1_q && ov_a_q;

    // the sums with a replaced order taken out (section 18.3), registered in R2a
    wire [31:0]       ob_x_c = sum_ob - ((o_repl && sl_buy)  ? sl_open1_q : 32'd0);
    wire [31:0]       os_x_c = sum_os - ((o_repl && !sl_buy) ? sl_open1_q : 32'd0);
    wire [12:0]       oc_x_c = sum_oc - (o_repl ? 13'd1 : 13'd0);
    wire [31:0]       ob_x  = obx_a_q;
    wire [31:0]       os_x  = osx_a_q;
    // the slot's open notional, price x open, is taken in two cycles from the R1 registers
    // (not from the table's read port): R2a registers its 16 x 16 partial products (price =
    // ph x 2^16 + pl, open = qh x 2^16 + ql; one MULT18X18D each, no adder after it) with the
    // account's sum; R2b takes son - (ph x qh x 2^32 + pl x ql) - ph x ql x 2^16 - pl x qh x 2^16
    // (mod 2^64; the products zero unless a replace takes the slot out) as ~(~son + X + Y1 + Y2):
    // two carry-save steps and one 64-bit add
    reg  [31:0]       sphh_a_q, spll_a_q, sphl_a_q, splh_a_q;
    reg               srep_a_q;
    wire [63:0]       srep64 = {64{srep_a_q}};
    wire [63:0]       on_a  = ~son_a_q;
    wire [63:0]       on_b  = srep64 & {sphh_a_q, spll_a_q};
    wire [63:0]       on_c  = srep64 & {16'd0, sphl_a_q, 16'd0};
    wire [63:0]       on_d  = srep64 & {16'd0, splh_a_q, 16'd0};
    wire [63:0]       on_s1 = on_a ^ on_b ^ on_c;
    wire [63:0]       on_c1 = {(on_a[62:0] & on_b[62:0]) | (on_a[62:0] & on_c[62:0]) | (on_b[62:0] & on_c[62:0]), 1'b0};
    wire [63:0]       on_s2 = on_s1 ^ on_c1 ^ on_d;
    wire [63:0]       on_c2 = {(on_s1[62:0] & on_c1[62:0]) | (on_s1[62:0] & on_d[62:0]) | (on_c1[62:0] & on_d[62:0]), 1'b0};
    wire [63:0]       on_w  = on_s2 + on_c2;
    wire [63:0]       on_x  = ~on_w;
    wire [12:0]       oc_x  = ocx_a_q;
    // POSITION, EXPOSURE and REDUCE_ONLY take one carry chain in R2b each: the terms that do
    // not depend on the open-order sums are registered in R2a (rsq/roq/hn/rop_a_q, from the
    // R1 registers and the state, steady while the order event is in R2). Exact arithmetic:
    // every sum below fits its width.
    reg signed [36:0] rsq_a_q, roq_a_q;
    reg signed [65:0] hn_a_q;
    reg signed [39:0] rop_a_q;
    wire signed [36:0] o_ox37 = $signed({5'd0, buy1 ? ob_x : os_x});
    // POSITION with the resting orders on the order's side: the quantity is oq = qty + ob (buy)
    // or qty + os (sell) against the same rooms (|p + ob + qty| > lim for a buy): oq > room_same
    // <=> (room_same - qty) - ob < 0; room_other + oq < 0 <=> (room_other + qty) + ob < 0
    wire signed [36:0] o_ps_t = rsq_a_q - o_ox37;
    wire signed [36:0] o_po_t = roq_a_q + o_ox37;
    wire              o_pos_x = o_ps_t[36] || o_po_t[36];
    // EXPOSURE: saturating used + on + n > credit  <=>  over, or on + n > credit - used
    // (unless credit = 2^64 - 1); on + n > head <=> (head - n) - on < 0
    wire signed [65:0] o_ex_t = hn_a_q - $signed({2'b00, on_x});
    wire              o_exp_x = over_q[a1] || (!cmax_q[a1] && o_ex_t[65]);
    // REDUCE_ONLY: the position the open orders on its side and the order would leave,
    // p + ob + qty (buy) > 0 <=> (-(p + qty)) - ob < 0, p - os - qty (sell) < 0 <=> (p - qty) - os < 0
    wire signed [39:0] p40   = {{8{pos1[31]}}, pos1};
    wire signed [39:0] o_ro_t = rop_a_q - $signed({8'd0, buy1 ? ob_x : os_x});
    wire              o_ro_x  = (ro_acct_q[a1] || ro_sym_q[sym1]) && o_ro_t[39];
    wire              unused_rsn = ^{o_ps_t[35:0], o_po_t[35:0], o_ex_t[64:0], o_ro_t[38:0], cc_t[47:0]};
    wire [31:0]       o_bid   = bid_q[sym1*32 +: 32];
    wire              o_ss_x  = (osd1_q == `RG_ASCII_T) && ssr_q[sym1] && (o_bid == 32'd0 || dpx1 <= o_bid);
    // ORDER_RATE and the window's next count are registered in R2a (orate_a_q, ratenx_a_q): the
    // windows, counts and limits are written only by an event leaving R2, so they are steady
    // while an order event is there (0666532's seed-1 critical path: a1 -> the window compare
    // -> rate_in >= max_rate -> rsn_b_q, 14.03 ns, 4.35 of them routing out of a1)
    wire [31:0]       rate_in = (acct48(rate_win_q, a1) == win) ? rate_cnt_q[a1*32 +: 32] : 32'd0;
    wire [31:0]       rate_nx_c = (&rate_in) ? rate_in : rate_in + 32'd1;   // saturating (exact: max_rate < 2^32)
    reg               orate_a_q;
    reg  [31:0]       ratenx_a_q;

    // the reasons of a decision (market data, R2 in one cycle) and of an order event (from
    // the R2a registers into rsn_b_q; the loss limit's KILL is added in R2c)
    reg [`RG_VRD_REASONS_W-1:0] reasons_md, reasons_ord, reasons;
    reg [`RG_VRD_REASONS_W-1:0] rsn_b_q;
    always @(*) begin
        reasons_md = {`RG_VRD_REASONS_W{1'b0}};
        reasons_md[`RG_RSN_KILL]          = kx1_q;
        reasons_md[`RG_RSN_HALTED]        = hx1_q;
        reasons_md[`RG_RSN_MARKET_CLOSED] = clx1_q;
        reasons_md[`RG_RSN_MAX_QTY]       = mq1_q;
        reasons_md[`RG_RSN_MAX_NOTIONAL]  = mn1_q;
        reasons_md[`RG_RSN_NO_REF]        = noref1_q;
        reasons_md[`RG_RSN_COLLAR]        = col1_q;
        reasons_md[`RG_RSN_POSITION]      = pos_x;
        reasons_md[`RG_RSN_CREDIT]        = cx1_q;
        reasons_md[`RG_RSN_THROTTLE]      = thx1_q;
        reasons_md[`RG_RSN_DUPLICATE]     = dup1_q;
        reasons_ord = reasons_md;
        reasons_ord[`RG_RSN_KILL]         = global_kill_q || kill_q[sym1] || acct_kill_q[a1];
        reasons_ord[`RG_RSN_HALTED]       = halt_q[sym1];
        reasons_ord[`RG_RSN_MARKET_CLOSED] = cfg_gate && !market_open_q;
        reasons_ord[`RG_RSN_MAX_QTY]      = (dqty1 > max_qty_q[sym1*32 +: 32]);
        reasons_ord[`RG_RSN_MAX_NOTIONAL] = (not1_q > max_not_q[sym1*64 +: 64]);
        reasons_ord[`RG_RSN_THROTTLE]     = thr_x;
        reasons_ord[`RG_RSN_DUPLICATE]    = o_dup_x;
        reasons_ord[`RG_RSN_POSITION]     = o_pos_x;
        reasons_ord[`RG_RSN_CREDIT]       = credit_x;
        reasons_ord[`RG_RSN_EXPOSURE]     = o_exp_x;
        reasons_ord[`RG_RSN_OPEN_ORDERS]  = ({19'd0, oc_x} >= max_open_q[a1*32 +: 32]);
        reasons_ord[`RG_RSN_REDUCE_ONLY]  = o_ro_x;
        reasons_ord[`RG_RSN_SHORT_SALE]   = o_ss_x;
        reasons_ord[`RG_RSN_ORDER_RATE]   = orate_a_q;
        reasons = reasons_md;
        if (oe1_q) begin
            reasons = rsn_b_q;
            reasons[`RG_RSN_KILL] = rsn_b_q[`RG_RSN_KILL] || (o_order && loss_trip);
        end
    end
    // a client order's verdict from the R2b register and the trip; a decision's from its R1
    // registers (rx1_q) and the few checks R2 still makes (an order event is no decision)
    wire o_accept = o_order && (rsn_b_q == {`RG_VRD_REASONS_W{1'b0}}) && !loss_trip;
    wire md_x     = reasons_md[`RG_RSN_COLLAR];

    // a venue execution: position and used credit of the order's symbol and account
    wire [SYM_W-1:0]  vs      = sl_sym1_q;
    wire [ACCT_W-1:0] va      = sl_acct1_q;
    wire [31:0]       v_pos   = pos_q[vs*32 +: 32];
    wire [31:0]       v_posn  = sl_buy ? v_pos + dqty1 : v_pos - dqty1;   // i32, as the strategy's fills
    wire [31:0]       v_lim   = pos_lim_q[vs*32 +: 32];
    wire [64:0]       v_usum  = {1'b0, used_q[va*64 +: 64]} + {1'b0, not1_q};
    wire [63:0]       v_used  = v_usum[64] ? 64'hFFFF_FFFF_FFFF_FFFF : v_usum[63:0];
    wire [64:0]       v_hsub  = {1'b0, head_q[va*64 +: 64]} - {1'b0, not1_q};
    wire [7:0]        v_leg   = vleg1_q;

    // ---------------------------------------------------------------- the daily loss limit (section 18.8)
    // The pair (account, symbol) of an order event: the frame's for a client order, the
    // slot's for a venue frame (read while the event is in R0); its RAM word {term, pos} and
    // its symbol's last trade (the mark) are registered as the event enters R1. R2 re-marks
    // the pair (a venue execution first moves its position and the account's cash), then
    // compares the account's P&L with the limit; a trip engages the account kill.
    // The pair's address is the slot RAM's {account, symbol} (a venue frame whose slot was not
    // placed last cycle) or one from registers (the slot as placed, ps_*_q, or the client
    // order's own), selected by a flip-flop: the select and the register side are kept in
    // registers of their own (prsel_q = ov0_q && !ps_hnew_q, prfa_q / prfs_q = ov0_q ?
    // ps_acct_q / ps_sym_q : the frame's), loaded with what they are made of, so the RAM
    // output passes one 2:1 select into the pair RAM's address, the mark's and the pair-valid
    // selects (it went through ov0_q and ps_hnew_q's selects: rd_acct, rd_sym, then pr_addr)
    reg                     prsel_q;
    reg [ACCT_W-1:0]        prfa_q;
    reg [SYM_W-1:0]         prfs_q;
    wire                    ld0     = adv0 && in_valid;      // R0 loads (ov0_q, oac0_q, osy0_q)
    wire                    ov0_nx  = ld0 ? o_venue : ov0_q;
    wire [ACCT_W-1:0]       oac0_nx = ld0 ? o_account[ACCT_W-1:0] : oac0_q[ACCT_W-1:0];
    wire [SYM_W-1:0]        osy0_nx = ld0 ? o_symbol[SYM_W-1:0] : osy0_q[SYM_W-1:0];
    wire [ACCT_W+SYM_W-1:0] pr_addr = prsel_q ? {rdm_acct, rdm_sym} : {prfa_q, prfs_q};
    reg                     pvr1_q;
    reg                     mnz1_q;     // the symbol has a last trade (mark != 0)
    reg [31:0]              mkc1_q;     // the mark as re-marked: the last trade, or the frame's price when 0
    // the mark is selected from flip-flops and the slot RAM's output: the symbol's last trade
    // and whether it is nonzero (ltnz_q, kept beside it, so no 32-bit test after the select)
    // for the RAM's symbol (a venue frame whose slot was not placed last cycle) and for the
    // symbol from registers (ps_sym_q or the frame's), then the choice between the two (the
    // RAM output drives one index select and one 2:1 select: it was 10f75ad's critical path,
    // u_open.sym_m -> mkc1_q at 13.56 ns, through one select of rd_sym and a 32-bit != 0)
    wire                    mk_ram  = prsel_q;     // ov0_q && !ps_hnew_q
    wire [SYM_W-1:0]        mk_fsym = prfs_q;      // ov0_q ? ps_sym_q : osy0_q
    wire                    mk_rnz  = ltnz_q[rdm_sym];
    wire [31:0]             mk_rlt  = last_trade_q[rdm_sym*32 +: 32];
    wire                    mk_fnz  = ltnz_q[mk_fsym];
    wire [31:0]             mk_flt  = last_trade_q[mk_fsym*32 +: 32];
    wire                    mk_nz   = mk_ram ? mk_rnz : mk_fnz;
    // the pair's valid bit likewise (pv_q[pr_addr]: 3fa920d's critical path, u_open.sym_m ->
    // pr_addr -> pvr1_q, 13.86 ns)
    wire [ACCT_W-1:0]       pv_facct = prfa_q;     // ov0_q ? ps_acct_q : oac0_q
    wire [31:0]             mk_c    = mk_ram ? (mk_rnz ? mk_rlt : price0) : (mk_fnz ? mk_flt : price0);
    reg [ACCT_W+SYM_W-1:0]  pa1_q;
    wire [127:0]            pr_word;
    rg_ram_sdp #(.ADDR_W(ACCT_W + SYM_W), .WIDTH(128)) u_pairs (
        .clk(clk),
        .wr_en(pl_upd), .wr_be(1'b1), .wr_addr(pa1_q), .wr_data({pl_term, pl_pos}),
        .rd_en(adv1), .rd_addr(pr_addr), .rd_data(pr_word)
    );
    function [63:0] sat_add(input [63:0] x, input [63:0] y);
        reg [63:0] s;
        begin
            s = x + y;
            sat_add = (x[63] == y[63] && s[63] != x[63]) ? (x[63] ? 64'h8000_0000_0000_0000 : 64'h7FFF_FFFF_FFFF_FFFF) : s;
        end
    endfunction
    function [63:0] sat_sub(input [63:0] x, input [63:0] y);
        reg [63:0] s;
        begin
            s = x - y;
            sat_sub = (x[63] != y[63] && s[63] != x[63]) ? (x[63] ? 64'h8000_0000_0000_0000 : 64'h7FFF_FFFF_FFFF_FFFF) : s;
        end
    endfunction
    // R2a (from the R1 registers and the pair word): the pair's new position, the mark, the
    // account's cash after the execution, marked - term (saturated), the limit
    wire              pl_exec_c = oe1_q && (pexb1_q || pexs1_q);   // o_ven_c && o_exec
    wire              pl_exec   = o_ven && o_exec;
    // the pair's account (ov1_q ? va : a1) in a register of its own, loaded with them: the
    // account's cash select starts there, not at a1's fan-out (b2ffd29's critical path: a1 ->
    // cash select -> the execution's saturating add into cash_a_q, 13.71 ns, 3.57 of them
    // routing out of a1)
    reg  [ACCT_W-1:0] pla1_q;
    wire [ACCT_W-1:0] pl_a     = pla1_q;
    wire [63:0]       pl_pos0  = pvr1_q ? pr_word[63:0] : 64'd0;
    wire [63:0]       pl_term0 = pvr1_q ? pr_word[127:64] : 64'd0;
    // a venue execution moves the pair's position (wrapping i64) and the cash (sells +, buys -)
    wire [63:0]       pl_pos_c = !pl_exec_c ? pl_pos0 : sl_buy ? pl_pos0 + {32'd0, dqty1} : pl_pos0 - {32'd0, dqty1};
    wire [63:0]       cash_a   = cash_q[pl_a*64 +: 64];
    wire [63:0]       pl_cash_c = !pl_exec_c ? cash_a : sl_buy ? sat_sub(cash_a, not1_q) : sat_add(cash_a, not1_q);
    // the mark: the symbol's last trade; with none yet an execution's own price, and an order
    // check leaves the pair as it is
    wire [31:0]       pl_mark_c = mkc1_q;   // (mark != 0) ? mark : dpx1, registered in R1
    wire              pl_remark_c = pl_exec_c || (o_order_c && mnz1_q);
    wire [63:0]       mkd_a    = mkd_q[pl_a*64 +: 64];
    reg  [63:0]       pos_a_q, term0_a_q, s1_a_q, cash_a_q, mkd_a_q, lim_a_q;
    // the product pos x mark is taken in two cycles: pos = pos0 + delta - w x 2^64 (pos0 the
    // pair word's position, delta = +-qty of an execution, w = +-1 when the i64 sum wraps), so
    // pos x mark = pos0 x m + delta x m - w x m x 2^64. R2a registers 16 x 16 partial products
    // straight from registers (one MULT18X18D each, no adder after it): pos0 = p3 x 2^48 + p2 x
    // 2^32 + p1 x 2^16 + p0 (p3 signed) and m = mh x 2^16 + ml give eight, qty = q1 x 2^16 + q0
    // four (qx1_q: 0 for a client order; its rows are read only for a valid execution), and the wrap term (-m x 2^64 for a buy, +m x
    // 2^64 for a sell). R2b adds them as seven 97-bit rows in four carry-save steps and one
    // 97-bit add: the pair word's rows are zero unless it holds a position (pvr1_q), the qty
    // rows' first step is inverted for a sell (-x = ~x + 1: ~a + ~b + ~c = ~s + 2 ~c of the
    // step, and + 3 in the low bits of the wrap term's row)
    reg  [31:0]        pp0l_a_q, pp0h_a_q, pp1l_a_q, pp1h_a_q, pp2l_a_q, pp2h_a_q, pp3l_a_q, pp3h_a_q;
    reg  [31:0]        pq0l_a_q, pq0h_a_q, pq1l_a_q, pq1h_a_q;
    reg  [32:0]        ptop_a_q;
    reg                psub_a_q;
    wire              pl_add_c = oe1_q && pexb1_q;   // pl_exec_c && sl_buy
    wire              pl_sub_c = oe1_q && pexs1_q;   // pl_exec_c && !sl_buy
    wire [32:0]       pl_m33   = {1'b0, pl_mark_c};
    // the i64 sum wraps: a buy from pos0 >= 0 to < 0, a sell from pos0 < 0 to >= 0
    wire              pl_wrap  = pl_add_c ? (!pl_pos0[63] && pl_pos_c[63]) : (pl_pos0[63] && !pl_pos_c[63]);
    wire [32:0]       pl_top_c = (pl_add_c && pl_wrap) ? -pl_m33 : (pl_sub_c && pl_wrap) ? pl_m33 : 33'd0;
    wire [15:0]       pw_p0    = pr_word[15:0];
    wire [15:0]       pw_p1    = pr_word[31:16];
    wire [15:0]       pw_p2    = pr_word[47:32];
    wire [15:0]       pw_p3    = pr_word[63:48];
    wire [15:0]       pl_ml    = pl_mark_c[15:0];
    wire [15:0]       pl_mh    = pl_mark_c[31:16];
    wire [96:0]       pvr97    = {97{pvr1_q}};
    wire [96:0]       pp_r1    = pvr97 & {pp3h_a_q[31], pp3h_a_q, pp1h_a_q, pp0l_a_q};
    wire [96:0]       pp_r2    = {ptop_a_q, pvr97[31:0] & pp2l_a_q, 30'd0, psub_a_q, psub_a_q};
    wire [96:0]       pp_r4    = pvr97 & {{17{pp3l_a_q[31]}}, pp3l_a_q, pp1l_a_q, 16'd0};
    wire [96:0]       pp_r5    = pvr97 & {17'd0, pp2h_a_q, pp0h_a_q, 16'd0};
    wire [96:0]       pq_r3    = {33'd0, pq1h_a_q, pq0l_a_q};
    wire [96:0]       pq_r6    = {49'd0, pq1l_a_q, 16'd0};
    wire [96:0]       pq_r7    = {49'd0, pq0h_a_q, 16'd0};
    wire [96:0]       psub97   = {97{psub_a_q}};
    wire [96:0]       pq_s     = pq_r3 ^ pq_r6 ^ pq_r7 ^ psub97;
    wire [96:0]       pq_c     = ((pq_r3 & pq_r6) | (pq_r3 & pq_r7) | (pq_r6 & pq_r7)) ^ psub97;
    wire [96:0]       pp_s1    = pp_r1 ^ pp_r2 ^ pp_r4;
    wire [96:0]       pp_c1    = {(pp_r1[95:0] & pp_r2[95:0]) | (pp_r1[95:0] & pp_r4[95:0]) | (pp_r2[95:0] & pp_r4[95:0]), 1'b0};
    wire [96:0]       pp_s2    = pp_s1 ^ pp_c1 ^ pp_r5;
    wire [96:0]       pp_c2    = {(pp_s1[95:0] & pp_c1[95:0]) | (pp_s1[95:0] & pp_r5[95:0]) | (pp_c1[95:0] & pp_r5[95:0]), 1'b0};
    wire [96:0]       pp_s3    = pp_s2 ^ pp_c2 ^ pq_s;
    wire [96:0]       pp_c3    = {(pp_s2[95:0] & pp_c2[95:0]) | (pp_s2[95:0] & pq_s[95:0]) | (pp_c2[95:0] & pq_s[95:0]), 1'b0};
    wire [96:0]       pq_c2    = {pq_c[95:0], 1'b0};
    wire [96:0]       pp_x     = pp_s3 ^ pp_c3 ^ pq_c2;
    wire [96:0]       pp_y     = {(pp_s3[95:0] & pp_c3[95:0]) | (pp_s3[95:0] & pq_c2[95:0]) | (pp_c3[95:0] & pq_c2[95:0]), 1'b0};
    reg               rmk_a_q;
    // R2b: the product pos x mark (exact), and the sums the trip test needs, exact in 68 bits:
    // with L = limit in [1, 2^63 - 1] (a larger one never trips: the P&L is >= -2^63) and
    // K = cash + L, pnl < -L  <=>  cash + sat(s1 + t) + L < 0  <=>  K < 2^63 and s1 + t + K < 0
    // (sat is monotone and -L lies inside the i64 range), and with V = s1 + K and t the
    // clamped product: prod > 2^63 - 1 -> V + 2^63 - 1 < 0; prod < -2^63 -> V - 2^63 < 0;
    // else prod + V < 0. Without a re-mark, pnl = sat(cash + marked): cash + marked + L < 0.
    reg  signed [96:0] prod_b_q;
    reg  signed [67:0] v_b_q;
    reg               kbig_b_q, vn_b_q;
    // the account's kill as registered in R2a (acct_kill_q is steady while an order event is
    // in R2: only an event leaving R2 writes it), and in R2b with the limit's range: not
    // killed and L in [1, 2^63 - 1]
    reg               akill_a_q, ltok_b_q;
    wire signed [67:0] s1_68   = {{4{s1_a_q[63]}}, s1_a_q};
    wire signed [67:0] cash_68 = {{4{cash_a_q[63]}}, cash_a_q};
    wire signed [67:0] mkd_68  = {{4{mkd_a_q[63]}}, mkd_a_q};
    wire signed [67:0] lim_68  = {4'd0, lim_a_q};
    wire signed [67:0] k_c     = cash_68 + lim_68;
    wire signed [67:0] v_c     = s1_68 + k_c;
    wire signed [67:0] vn_c    = cash_68 + mkd_68 + lim_68;
    // R2c: the clamped product t and the trip, from the R2b registers
    wire              pl_hi    = !prod_b_q[96] && (prod_b_q[95:63] != 33'd0);
    wire              pl_lo    = prod_b_q[96] && (prod_b_q[95:63] != {33{1'b1}});
    wire [63:0]       pl_t     = pl_hi ? 64'h7FFF_FFFF_FFFF_FFFF : pl_lo ? 64'h8000_0000_0000_0000 : prod_b_q[63:0];
    wire signed [67:0] c_mid   = v_b_q + {{4{prod_b_q[63]}}, prod_b_q[63:0]};
    wire signed [67:0] c_max   = v_b_q + 68'sh0_7FFF_FFFF_FFFF_FFFF;
    wire signed [67:0] c_min   = v_b_q - 68'sh0_8000_0000_0000_0000;
    wire              pl_lt    = pl_hi ? c_max[67] : pl_lo ? c_min[67] : c_mid[67];
    wire [63:0]       pl_pos   = pos_a_q;
    wire [63:0]       pl_cash  = cash_a_q;
    wire [63:0]       pl_term  = rmk_a_q ? pl_t : term0_a_q;
    wire [63:0]       pl_mkd   = rmk_a_q ? sat_add(s1_a_q, pl_t) : mkd_a_q;
    wire              loss_trip = (o_order || pl_exec) && ltok_b_q &&
                                  (rmk_a_q ? (!kbig_b_q && pl_lt) : vn_b_q);
    wire              pl_upd   = fire2 && (o_order || pl_exec);
    wire              unused_pl = ^{vn_c[66:0], c_mid[66:0], c_max[66:0], c_min[66:0], pq_c[96], osy1_q[15:8]};

    rg_open_orders #(.MAX_SYMBOLS(MAX_SYMBOLS), .MAX_ACCOUNTS(MAX_ACCOUNTS)) u_open (
        .clk(clk), .rst(rst),
        .rd_id(take_o ? o_order_id[11:0] : oid0_q[11:0]),
        .rd_open(rdm_open), .rd_nz(rdm_nz), .rd_price(rdm_price), .rd_acct(rdm_acct), .rd_sym(rdm_sym), .rd_side(rdm_side),
        .sum_sym(sym1), .sum_acct(a1), .sum_ob(sum_ob), .sum_os(sum_os), .sum_on(sum_on), .sum_oc(sum_oc),
        .op_place(po_place_q), .op_replace(po_replace_q), .op_reduce(po_reduce_q), .op_id(po_id_q),
        .op_acct(po_acct_q), .op_sym(po_sym_q), .op_side(po_side_q),
        .op_old_open(po_old_open_q), .op_old_price(po_old_price_q), .op_price(po_price_q), .op_qty(po_qty_q),
        .busy(busy)
    );

    // the record of an order event (prebuilt on the event bus, section 11)
    localparam integer PB = `RG_RECH_SIZE;
    `include "rg_contract_fn.vh"
    function [127:0] order_pay(input [31:0] price, input [31:0] qty, input [15:0] rsn, input [7:0] side,
                               input [7:0] acct, input [31:0] id);
        begin
            order_pay = 128'd0;
            order_pay[8*(`RG_RECF_ORDER_PRICE - PB)         +: `RG_RECF_ORDER_PRICE_W]         = price;
            order_pay[8*(`RG_RECF_ORDER_QTY - PB)           +: `RG_RECF_ORDER_QTY_W]           = qty;
            order_pay[8*(`RG_RECF_ORDER_REASONS - PB)       +: `RG_RECF_ORDER_REASONS_W]       = rsn;
            order_pay[8*(`RG_RECF_ORDER_SIDE - PB)          +: `RG_RECF_ORDER_SIDE_W]          = side;
            order_pay[8*(`RG_RECF_ORDER_ACCOUNT_INDEX - PB) +: `RG_RECF_ORDER_ACCOUNT_INDEX_W] = acct;
            order_pay[8*(`RG_RECF_ORDER_ORDER_ID - PB)      +: `RG_RECF_ORDER_ORDER_ID_W]      = id;
        end
    endfunction
    function [127:0] fill_pay(input [31:0] price, input [31:0] qty, input [31:0] pos, input [7:0] leg,
                              input [7:0] acct);
        begin
            fill_pay = 128'd0;
            fill_pay[8*(`RG_RECF_FILL_PRICE - PB)          +: `RG_RECF_FILL_PRICE_W]          = price;
            fill_pay[8*(`RG_RECF_FILL_QTY - PB)            +: `RG_RECF_FILL_QTY_W]            = qty;
            fill_pay[8*(`RG_RECF_FILL_POSITION_AFTER - PB) +: `RG_RECF_FILL_POSITION_AFTER_W] = pos;
            fill_pay[8*(`RG_RECF_FILL_LEG - PB)            +: `RG_RECF_FILL_LEG_W]            = leg;
            fill_pay[8*(`RG_RECF_FILL_ACCOUNT_INDEX - PB)  +: `RG_RECF_FILL_ACCOUNT_INDEX_W]  = acct;
        end
    endfunction

    wire [7:0]  sl_acct8 = {{(8-ACCT_W){1'b0}}, sl_acct1_q};
    wire [7:0]  sl_sym8  = {{(8-SYM_W){1'b0}}, sl_sym1_q};
    wire [15:0] o_target = ov1_q ? oid1_q[15:0] : oac1_q;
    wire [15:0] o_expect = (oty1_q == `RG_OFRM_TYPE) ? `RG_OFRM_LEN : (oty1_q == `RG_VFRM_TYPE) ? `RG_VFRM_LEN : 16'd0;
    reg  [7:0]   o_rkind, o_rsym, o_raux, o_prob;
    reg  [127:0] o_rpay;
    always @(*) begin
        o_rkind = `RG_REC_PROBLEM;
        o_rsym  = `RG_NO_SYMBOL;
        o_raux  = `RG_PROB_BAD_CONTROL;
        o_rpay  = rg_problem_pay(oty1_q, olen1_q, olen1_q, oact1_q, o_target);
        if (obl1_q) begin
            // a frame of another length on this input: the host broke the split (section 18.7)
            o_raux = `RG_PROB_BAD_LENGTH;
            o_rpay = rg_problem_pay(oty1_q, olen1_q, o_expect, 8'd0, 16'd0);
        end else if (ofr1_q) begin
            o_raux = `RG_PROB_FOREIGN_CONTROL;
        end else if (o_order) begin
            o_rkind = `RG_REC_ORDER;
            o_rsym  = osy1_q[7:0];
            o_raux  = oact1_q;
            o_rpay  = order_pay(dpx1, dqty1, reasons, osd1_q, oac1_q[7:0], oid1_q);
        end else if (o_ven && o_exec) begin
            o_rkind = `RG_REC_FILL;
            o_rsym  = sl_sym8;
            o_raux  = sl_buy ? `RG_ASCII_B : `RG_ASCII_S;
            o_rpay  = fill_pay(dpx1, dqty1, v_posn, v_leg, sl_acct8);
        end else if (o_ven) begin
            o_rkind = `RG_REC_ORDER;
            o_rsym  = sl_sym8;
            o_raux  = `RG_ASCII_C;
            o_rpay  = order_pay(32'd0, dqty1, 16'd0, sl_side1_q, sl_acct8, oid1_q);
        end
        o_prob = (o_rkind == `RG_REC_PROBLEM) ? o_raux : 8'd0;
    end
    reg [`RG_EV_W-1:0] ev1o;
    always @(*) begin
        ev1o = ev1_q;
        if (oe1_q) begin
            ev1o[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W] = o_rkind;
            ev1o[`RG_EV_RSYM_LO +: `RG_EV_RSYM_W]   = o_rsym;
            ev1o[`RG_EV_RAUX_LO +: `RG_EV_RAUX_W]   = o_raux;
            ev1o[`RG_EV_RPAY_LO +: `RG_EV_RPAY_W]   = o_rpay;
        end
    end
    wire accept1 = dec1 && !rx1_q && !md_x;
    wire unused_pos = ^{pos_new[33:32], other0[33:0], head_sub0[65:0], mn_sub0[65:0]};

    reg [`RG_VRD_W-1:0] vrd1;
    always @(*) begin
        vrd1 = {`RG_VRD_W{1'b0}};
        vrd1[`RG_VRD_REASONS_LO +: `RG_VRD_REASONS_W]     = reasons;
        vrd1[`RG_VRD_ACCEPTED_LO]                         = accept1;
        vrd1[`RG_VRD_ACCT_LO +: ACCT_W]                   = (oe1_q && ov1_q) ? va : a1;
        vrd1[`RG_VRD_LOSS_KILL_LO]                        = loss_trip;
        vrd1[`RG_VRD_ACCT_ID_LO +: `RG_VRD_ACCT_ID_W]     = acct_id_q[a1*32 +: 32];
        vrd1[`RG_VRD_POS_AFTER_LO +: `RG_VRD_POS_AFTER_W] = pos_new[31:0];
    end

    wire [2:0]        ukind1 = ev1_q[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W];
    wire [SYM_W-1:0]  usym1  = ev1_q[`RG_EV_USYM_LO +: SYM_W];
    wire [7:0]        ucode1 = ev1_q[`RG_EV_UCODE_LO +: `RG_EV_UCODE_W];
    wire [63:0]       uval1  = ev1_q[`RG_EV_UVAL_LO +: `RG_EV_UVAL_W];
    wire [15:0]       utgt1  = ev1_q[`RG_EV_UTGT_LO +: `RG_EV_UTGT_W];
    wire [SYM_W-1:0]  tsym1  = utgt1[SYM_W-1:0];
    wire [ACCT_W-1:0] tacct1 = utgt1[ACCT_W-1:0];
    wire              do_upd2 = fire2;
    wire              dupw_upd2 = do_upd2 && (ukind1 == `RG_UPD_CTRL) && (ucode1 == `RG_CTRL_DUP_WINDOW);
    // CREDIT_LIMIT: the new headroom from the account's used (a control event carries no
    // decision, so used does not change in the same cycle)
    wire              credw_upd2 = do_upd2 && (ukind1 == `RG_UPD_CTRL) && (ucode1 == `RG_CTRL_CREDIT_LIMIT);
    wire [64:0]       ctl_head   = {1'b0, uval1} - {1'b0, used_q[tacct1*64 +: 64]};
    wire [64:0]       init_head  = {1'b0, init_acct_credit} - {1'b0, init_acct_used};
    // (the count as the pending write of an accept leaves it, pw_*_q)
    wire [31:0]       ctl_cnt    = (pw_we_q && pw_acct_q == tacct1) ? pw_cnt_q : thr_cnt_q[tacct1*32 +: 32];
    wire              ctl_full   = (ctl_cnt >= uval1[31:0]);
    wire              init_full  = (thr_cnt_q[init_acct_idx*32 +: 32] >= init_acct_max_orders);

    // the event in R2 may rewrite what the decision in R1 checks (its symbol's rooms, MAX_QTY,
    // MAX_NOTIONAL; its account's headroom, throttle, last accepted order, DUP_WINDOW): the
    // decision waits one cycle. The compares are taken a cycle ahead, as the decision enters R0,
    // against what will be in R2 when it is in R1 (hzn_q): the event now in R1 when R0 loads
    // behind it (it moves to R2 then; its hz* fields as they will be registered), the event in R2
    // when R1 is empty (R2 keeps it unless it leaves, and then R2 is empty); when R0 holds, so
    // does what it waits on (or R2 empties). r1_haz is three flip-flops, not the compares, on
    // the way to adv0 and R0's load enables.
    wire [SYM_W-1:0]  sym_i   = s_tob[`RG_TOB_SYM_LO +: SYM_W];
    wire [ACCT_W-1:0] a_i     = acct_of_q[sym_i*ACCT_W +: ACCT_W];
    wire              dec_i   = !take_o && s_ord[`RG_ORD_DEC_LO];
    // the event in R1's hz* fields as they enter R2 (the hz*1_q loads below)
    wire              nza     = oe0_q || dec0;
    wire [ACCT_W-1:0] nzacct  = !oe0_q ? a0r_q : ov0_q ? rd_acct : oac0_q[ACCT_W-1:0];
    wire              nzs     = oe0_q ? ov0_q : dec0;
    wire [SYM_W-1:0]  nzsym   = oe0_q ? rd_sym : sym0;
    wire              nca     = !oe0_q && ctl0 && (ucode0 == `RG_CTRL_CREDIT_LIMIT || ucode0 == `RG_CTRL_MAX_ORDERS ||
                                                   ucode0 == `RG_CTRL_DUP_WINDOW || ucode0 == `RG_CTRL_ACCOUNT_KILL);
    wire              ncs     = !oe0_q && ctl0 && (ucode0 == `RG_CTRL_POSITION_LIMIT || ucode0 == `RG_CTRL_MAX_QTY ||
                                                   ucode0 == `RG_CTRL_MAX_NOTIONAL || ucode0 == `RG_CTRL_SYMBOL_KILL);
    wire              ncg     = oe0_q ? (!obl0_q && ofr0_q) :
                                ((ctl0 && ucode0 == `RG_CTRL_GLOBAL_KILL) || ukind0 == `RG_UPD_MKT || ukind0 == `RG_UPD_MWCB);
    wire              nhs     = !oe0_q && ukind0 == `RG_UPD_HALT;
    wire [ACCT_W-1:0] tacct0  = ev0_q[`RG_EV_UTGT_LO +: ACCT_W];
    wire [SYM_W-1:0]  tsym0   = ev0_q[`RG_EV_UTGT_LO +: SYM_W];
    wire [SYM_W-1:0]  usym0   = ev0_q[`RG_EV_USYM_LO +: SYM_W];
    // the account and symbol compares of a venue frame are taken on the slot RAM's output and
    // on the bypass registers side by side, then selected (4af3b2c's seed-2 critical path:
    // u_open.acct_m -> rd_acct -> nzacct == a_i -> hzn_q, 13.74 ns)
    wire              nzacct_eq = !oe0_q ? (a0r_q == a_i) : !ov0_q ? (oac0_q[ACCT_W-1:0] == a_i) :
                                  ps_hnew_q ? (ps_acct_q == a_i) : (rdm_acct == a_i);
    wire              nzsym_eq  = !oe0_q ? (sym0 == sym_i) : ps_hnew_q ? (ps_sym_q == sym_i) : (rdm_sym == sym_i);
    wire              haz_a   = (nza && nzacct_eq) || (nzs && nzsym_eq) ||
                                (nca && tacct0 == a_i) || (ncs && tsym0 == sym_i) ||
                                ncg || (nhs && usym0 == sym_i);
    wire              haz_b   = (hza1_q && hzacct1_q == a_i) || (hzs1_q && hzsym1_q == sym_i) ||
                                (hca1_q && tacct1 == a_i) || (hcs1_q && tsym1 == sym_i) || hcg1_q || (hhs1_q && usym1 == sym_i);
    reg               hzn_q;
    always @(posedge clk)
        if (rst)       hzn_q <= 1'b0;
        else if (adv0) hzn_q <= dec_i && (v0_q ? haz_a : haz_b);
    assign r1_haz = v0_q && v1_q && hzn_q;
    // obz_q = (v0_q && oe0_q) || (v1_q && oe1_q), as R0 and R1 load below: R0 takes the frame
    // (o_ready) or holds, R1 takes R0's event (v0_q && !r1_haz) or holds
    always @(posedge clk)
        if (rst) obz_q <= 1'b0;
        else     obz_q <= (adv0 ? o_ready : (v0_q && oe0_q)) ||
                          (adv1 ? (v0_q && !r1_haz && oe0_q) : (v1_q && oe1_q));

    // the duplicate state is written per account with constant slices (a decoded enable),
    // not through an indexed part-select, which synthesises into a shifter per field
    integer j;
    wire unused_ev = ^{s_utgt[15:SYM_W], s_ev[`RG_EV_USYM_LO + SYM_W +: `RG_EV_USYM_W - SYM_W],
                       ev1_q[`RG_EV_USYM_LO + SYM_W +: `RG_EV_USYM_W - SYM_W], utgt1[15:SYM_W],
                       s_tob[`RG_TOB_SYM_LO + SYM_W +: `RG_TOB_SYM_W - SYM_W],
                       tob1_q[`RG_TOB_SYM_LO + SYM_W +: `RG_TOB_SYM_W - SYM_W]};

    always @(posedge clk) begin
        if (rst) begin
            global_kill_q <= 1'b0;
            market_open_q <= 1'b0;
            kill_q        <= {NS{1'b0}};
            halt_q        <= {NS{1'b0}};
            last_trade_q  <= {(NS*32){1'b0}};
            ltnz_q        <= {NS{1'b0}};
            collar_q      <= {(NS*16){1'b0}};
            max_qty_q     <= {(NS*32){1'b0}};
            max_not_q     <= {(NS*64){1'b0}};
            pos_lim_q     <= {(NS*32){1'b0}};
            pos_q         <= {(NS*32){1'b0}};
            up_q          <= {(NS*35){1'b0}};
            dn_q          <= {(NS*35){1'b0}};
            acct_of_q     <= {(NS*ACCT_W){1'b0}};
            acct_id_q     <= {(NA*32){1'b0}};
            max_ord_q     <= {(NA*32){1'b0}};
            over_q        <= {NA{1'b0}};
            cmax_q        <= {NA{1'b0}};
            head_q        <= {(NA*64){1'b0}};
            used_q        <= {(NA*64){1'b0}};
            thr_win_q     <= {(NA*48){1'b0}};
            thr_cnt_q     <= {(NA*32){1'b0}};
            thr_full_q    <= {NA{1'b1}};
            thr_zmax_q    <= {NA{1'b1}};
            dup_win_q     <= {(NA*64){1'b0}};
            lo_valid_q    <= {NA{1'b0}};
            lo_sym_q      <= {(NA*SYM_W){1'b0}};
            lo_buy_q      <= {NA{1'b0}};
            lo_px_q       <= {(NA*32){1'b0}};
            lo_qty_q      <= {(NA*32){1'b0}};
            lo_ts_q       <= {(NA*48){1'b0}};
            max_open_q    <= {(NA*32){1'b0}};
            acct_kill_q   <= {NA{1'b0}};
            loss_lim_q    <= {(NA*64){1'b0}};
            cash_q        <= {(NA*64){1'b0}};
            mkd_q         <= {(NA*64){1'b0}};
            pv_q          <= {NP{1'b0}};
            pvr1_q <= 1'b0; mnz1_q <= 1'b0; mkc1_q <= 32'd0; pa1_q <= {(ACCT_W+SYM_W){1'b0}};
            ro_acct_q     <= {NA{1'b0}};
            ro_sym_q      <= {NS{1'b0}};
            max_rate_q    <= {(NA*32){1'b0}};
            ssr_q         <= {NS{1'b0}};
            bid_q         <= {(NS*32){1'b0}};
            rate_win_q    <= {(NA*48){1'b0}};
            rate_cnt_q    <= {(NA*32){1'b0}};
            leg_seq_q     <= 48'd0;
            legs_q        <= 8'd0;
            last_ts_q     <= 48'd0;
            oe0_q <= 1'b0; ov0_q <= 1'b0; obl0_q <= 1'b0; ofr0_q <= 1'b0; ook0_q <= 1'b0;
            oty0_q <= 8'd0; olen0_q <= 16'd0; oact0_q <= 8'd0; osd0_q <= 8'd0;
            oac0_q <= 16'd0; osy0_q <= 16'd0; oid0_q <= 32'd0;
            oe1_q <= 1'b0; ov1_q <= 1'b0; obl1_q <= 1'b0; ofr1_q <= 1'b0;
            oty1_q <= 8'd0; olen1_q <= 16'd0; oact1_q <= 8'd0; osd1_q <= 8'd0;
            oac1_q <= 16'd0; osy1_q <= 16'd0; oid1_q <= 32'd0;
            sl_open1_q <= 32'd0; sl_price1_q <= 32'd0; sl_acct1_q <= {ACCT_W{1'b0}};
            sl_sym1_q <= {SYM_W{1'b0}}; sl_side1_q <= 8'd0;
            ordc1_q <= 1'b0; venc1_q <= 1'b0; pexb1_q <= 1'b0; pexs1_q <= 1'b0; qx1_q <= 32'd0; vleg1_q <= 8'd0;
            v1_q <= 1'b0; ev1_q <= {`RG_EV_W{1'b0}}; tob1_q <= {`RG_TOB_W{1'b0}}; ord1_q <= {`RG_ORD_W{1'b0}};
            v0_q <= 1'b0; ev0_q <= {`RG_EV_W{1'b0}}; tob0_q <= {`RG_TOB_W{1'b0}}; ord0_q <= {`RG_ORD_W{1'b0}};
            noref0_q <= 1'b0; ref0_q <= 32'd0; pdiff0_q <= 32'd0; coll0_q <= 16'd0;
            noref1_q <= 1'b0; col1_q <= 1'b0; not1_q <= 64'd0;
            win1_q <= 48'd0; a1_q <= {ACCT_W{1'b0}}; pla1_q <= {ACCT_W{1'b0}}; px1_q <= 1'b0;
            nsx0_q <= 64'd0; nsy0_q <= 32'd0; nsz0_q <= 32'd0; nox0_q <= 64'd0; noy0_q <= 32'd0; noz0_q <= 32'd0;
            cx1_q <= 1'b0;
            a0r_q <= {ACCT_W{1'b0}}; win0_q <= 48'd0;
            thx1_q <= 1'b0; dup1_q <= 1'b0; mq1_q <= 1'b0; mn1_q <= 1'b0; rx1_q <= 1'b0;
            kx1_q <= 1'b0; hx1_q <= 1'b0; clx1_q <= 1'b0; hcg1_q <= 1'b0; hhs1_q <= 1'b0;
            hza1_q <= 1'b0; hzs1_q <= 1'b0; hca1_q <= 1'b0; hcs1_q <= 1'b0;
            hzacct1_q <= {ACCT_W{1'b0}}; hzsym1_q <= {SYM_W{1'b0}};
            pw_we_q <= 1'b0;
            po_place_q <= 1'b0; po_replace_q <= 1'b0; po_reduce_q <= 1'b0;
            ps_hit_q <= 1'b0; ps_hpx_q <= 1'b0; ps_hnew_q <= 1'b0;
            prsel_q <= 1'b0; prfa_q <= {ACCT_W{1'b0}}; prfs_q <= {SYM_W{1'b0}};
            ph_q <= 2'd0;
            v2_q <= 1'b0; ev2_q <= {`RG_EV_W{1'b0}}; tob2_q <= {`RG_TOB_W{1'b0}}; ord2_q <= {`RG_ORD_W{1'b0}};
            vrd2_q <= {`RG_VRD_W{1'b0}};
            st_decision <= 1'b0; st_accepted <= 1'b0; st_rejected <= 1'b0;
            st_problem <= 8'd0; st_control <= 1'b0; st_fill <= 1'b0;
        end else begin
            st_decision <= 1'b0;
            st_accepted <= 1'b0;
            st_rejected <= 1'b0;
            st_problem  <= 8'd0;
            st_control  <= 1'b0;
            st_fill     <= 1'b0;

            // ---- configuration writes (only before the input is enabled)
            if (init_hdr_we) global_kill_q <= init_global_kill;
            if (init_sym_we) begin
                acct_of_q[init_sym_idx*ACCT_W +: ACCT_W] <= init_sym_acct;
                kill_q[init_sym_idx]                     <= init_sym_kill;
                collar_q[init_sym_idx*16 +: 16]          <= init_sym_collar;
                max_qty_q[init_sym_idx*32 +: 32]         <= init_sym_max_qty;
                max_not_q[init_sym_idx*64 +: 64]         <= init_sym_max_notional;
                pos_lim_q[init_sym_idx*32 +: 32]         <= init_sym_pos_limit;
                pos_q[init_sym_idx*32 +: 32]             <= init_sym_pos;
                for (j = 0; j < NS; j = j + 1)
                    if (init_sym_idx == j[SYM_W-1:0]) begin
                        up_q[j*35 +: 35] <= room_up(init_sym_pos_limit, init_sym_pos);
                        dn_q[j*35 +: 35] <= room_dn(init_sym_pos_limit, init_sym_pos);
                    end
            end
            if (init_acct_we) begin
                acct_id_q[init_acct_idx*32 +: 32] <= init_acct_id;
                max_ord_q[init_acct_idx*32 +: 32] <= init_acct_max_orders;
                used_q[init_acct_idx*64 +: 64]    <= init_acct_used;
            end
            for (j = 0; j < NA; j = j + 1)
                if (init_acct_we && init_acct_idx == j[ACCT_W-1:0]) begin
                    dup_win_q[j*64 +: 64] <= init_acct_dup_window;
                    over_q[j]             <= init_head[64];
                    cmax_q[j]             <= &init_acct_credit;
                    head_q[j*64 +: 64]    <= init_head[63:0];
                    thr_full_q[j]         <= init_full;
                    thr_zmax_q[j]         <= (init_acct_max_orders == 32'd0);
                end

            // ---- R0
            if (s_last_upd) begin
                last_trade_q[s_usym*32 +: 32] <= s_uval[31:0];
                ltnz_q[s_usym]                <= (s_uval[31:0] != 32'd0);
            end
            if (s_coll_upd) collar_q[s_utgt[SYM_W-1:0]*16 +: 16] <= s_uval[15:0];
            if (in_md) last_ts_q <= s_ev[`RG_EV_TS_LO +: `RG_EV_TS_W];
            if (adv0) begin
                v0_q <= in_valid;
                if (in_valid) begin
                    ev0_q    <= i_ev;
                    tob0_q   <= i_tob;
                    ord0_q   <= i_ord;
                    oe0_q    <= o_ready;
                    ov0_q    <= o_venue;
                    obl0_q   <= o_bad_len;
                    ofr0_q   <= o_foreign;
                    ook0_q   <= o_fields_ok;
                    oty0_q   <= o_type;
                    olen0_q  <= o_len;
                    oact0_q  <= o_action;
                    osd0_q   <= o_side;
                    oac0_q   <= o_account;
                    osy0_q   <= o_symbol;
                    oid0_q   <= o_order_id;
                    noref0_q <= noref_i;
                    ref0_q   <= ref_px;
                    pdiff0_q <= pdiff;
                    coll0_q  <= collar_q[s_sym*16 +: 16];
                    nsx0_q   <= {{16'd0, s_px[31:16]} * {16'd0, s_qty[31:16]}, {16'd0, s_px[15:0]} * {16'd0, s_qty[15:0]}};
                    nsy0_q   <= s_px[31:16] * s_qty[15:0];
                    nsz0_q   <= s_px[15:0] * s_qty[31:16];
                    nox0_q   <= {{16'd0, o_price[31:16]} * {16'd0, o_qty[31:16]}, {16'd0, o_price[15:0]} * {16'd0, o_qty[15:0]}};
                    noy0_q   <= o_price[31:16] * o_qty[15:0];
                    noz0_q   <= o_price[15:0] * o_qty[31:16];
                    a0r_q    <= acct_of_q[s_sym*ACCT_W +: ACCT_W];
                    win0_q   <= i_ev[`RG_EV_TS_LO +: `RG_EV_TS_W] >> cfg_w_shift;
                end
            end

            // ---- R1 (no state)
            if (adv1) begin
                v1_q <= v0_q && !r1_haz;
                if (v0_q && !r1_haz) begin
                    px1_q    <= pos_x0;
                    cx1_q    <= cx0;
                    thx1_q   <= thx0;
                    dup1_q   <= dup0;
                    mq1_q    <= mq0;
                    mn1_q    <= mn0;
                    kx1_q    <= kx0;
                    hx1_q    <= halt_q[sym0];
                    clx1_q   <= cfg_gate && !market_open_q;
                    rx1_q    <= pos_x0 || cx0 || thx0 || dup0 || mq0 || mn0 || noref0_q ||
                                kx0 || halt_q[sym0] || (cfg_gate && !market_open_q);
                    hza1_q    <= nza;
                    hzacct1_q <= nzacct;
                    hzs1_q    <= nzs;
                    hzsym1_q  <= nzsym;
                    hca1_q    <= nca;
                    hcs1_q    <= ncs;
                    hcg1_q    <= ncg;
                    hhs1_q    <= nhs;
                    ev1_q    <= ev0_q;
                    tob1_q   <= tob0_q;
                    ord1_q   <= ord0_q;
                    noref1_q <= noref0_q;
                    col1_q   <= coll_x0;
                    not1_q   <= notional;
                    win1_q   <= win0_q;
                    // a client order's account is its own, not the symbol's
                    a1_q     <= oe0_q ? oac0_q[ACCT_W-1:0] : a0r_q;
                    pla1_q   <= ov0_q ? rd_acct : oe0_q ? oac0_q[ACCT_W-1:0] : a0r_q;   // = ov1_q ? sl_acct1_q : a1_q
                    oe1_q    <= oe0_q;
                    ov1_q    <= ov0_q;
                    obl1_q   <= obl0_q;
                    ofr1_q   <= ofr0_q;
                    oty1_q   <= oty0_q;
                    olen1_q  <= olen0_q;
                    oact1_q  <= oact0_q;
                    osd1_q   <= osd0_q;
                    oac1_q   <= oac0_q;
                    osy1_q   <= osy0_q;
                    oid1_q   <= oid0_q;
                    sl_open1_q  <= rd_open;
                    sl_price1_q <= rd_price;
                    sl_acct1_q  <= rd_acct;
                    sl_sym1_q   <= rd_sym;
                    sl_side1_q  <= rd_side;
                    ordc1_q     <= ordf0 && (enter0 ? !rd_isopen : (rd_isopen && rd_same));
                    venc1_q     <= venf0 && ven_sl0;
                    pexb1_q     <= pexf0 && ven_sl0 && rd_sideb;    // a valid venue execution of a buy slot
                    pexs1_q     <= pexf0 && ven_sl0 && !rd_sideb;
                    qx1_q       <= pexf0 ? qty0 : 32'd0;
                    vleg1_q     <= (leg_seq_q == seq0) ? legs_q + 8'd1 : 8'd1;
                    // the pair and its mark (the pair RAM's read is registered alongside)
                    pvr1_q      <= mk_ram ? pv_q[{rdm_acct, rdm_sym}] : pv_q[{pv_facct, mk_fsym}];   // pv_q[pr_addr]
                    pa1_q       <= pr_addr;
                    mnz1_q      <= mk_nz;
                    mkc1_q      <= mk_c;
                end
            end

            // ---- the last accepted order and the throttle of the accept that left R2 last cycle
            pw_we_q <= fire2 && (accept1 || o_accept);
            // ---- the open-order table's operation of the event leaving R2 (applied next cycle),
            // and whether this cycle's slot read is of the slot it writes
            po_place_q   <= fire2 && o_accept && o_enter;
            po_replace_q <= fire2 && o_accept && o_repl;
            po_reduce_q  <= fire2 && o_ven;
            ps_hit_q     <= ps_hit;
            ps_hpx_q     <= ps_hit && (po_place_q || po_replace_q);
            ps_hnew_q    <= ps_hit && po_place_q;
            prsel_q      <= ov0_nx && !(ps_hit && po_place_q);
            prfa_q       <= ov0_nx ? po_acct_q : oac0_nx;
            prfs_q       <= ov0_nx ? po_sym_q : osy0_nx;
            for (j = 0; j < NA; j = j + 1)
                if (pw_we_q && pw_acct_q == j[ACCT_W-1:0]) begin
                    lo_valid_q[j]              <= 1'b1;
                    lo_sym_q[j*SYM_W +: SYM_W] <= pw_sym_q;
                    lo_buy_q[j]                <= pw_buy_q;
                    lo_px_q[j*32 +: 32]        <= pw_px_q;
                    lo_qty_q[j*32 +: 32]       <= pw_qty_q;
                    lo_ts_q[j*48 +: 48]        <= pw_ts_q;
                    thr_win_q[j*48 +: 48]      <= pw_win_q;
                    thr_cnt_q[j*32 +: 32]      <= pw_cnt_q;
                    thr_full_q[j]              <= pw_full_q;
                end

            // ---- R2
            if (do_upd2) begin
                case (ukind1)
                    `RG_UPD_MKT: begin
                        if (ucode1 == `RG_ASCII_Q) market_open_q <= 1'b1;
                        if (ucode1 == `RG_ASCII_M) market_open_q <= 1'b0;
                    end
                    `RG_UPD_HALT: halt_q[usym1] <= (ucode1 != `RG_ASCII_T);
                    `RG_UPD_MWCB: halt_q <= {NS{1'b1}};
                    `RG_UPD_SSR:  ssr_q[usym1] <= (ucode1 != 8'h30);   // '0': no restriction
                    `RG_UPD_CTRL: begin
                        // COLLAR_BPS is applied in R1 (collar_q lives there); CLEAR_COLLISION
                        // in the book engine
                        case (ucode1)
                            `RG_CTRL_GLOBAL_KILL:    global_kill_q              <= uval1[0];
                            `RG_CTRL_SYMBOL_KILL:    kill_q[tsym1]              <= uval1[0];
                            `RG_CTRL_MAX_QTY:        max_qty_q[tsym1*32 +: 32]  <= uval1[31:0];
                            `RG_CTRL_MAX_NOTIONAL:   max_not_q[tsym1*64 +: 64]  <= uval1;
                            `RG_CTRL_POSITION_LIMIT: begin
                                // a control event carries no decision: the position does not
                                // change in the same cycle
                                pos_lim_q[tsym1*32 +: 32] <= uval1[31:0];
                                for (j = 0; j < NS; j = j + 1)
                                    if (tsym1 == j[SYM_W-1:0]) begin
                                        up_q[j*35 +: 35] <= room_up(uval1[31:0], pos_q[tsym1*32 +: 32]);
                                        dn_q[j*35 +: 35] <= room_dn(uval1[31:0], pos_q[tsym1*32 +: 32]);
                                    end
                            end
                            // CREDIT_LIMIT: below (headroom)
                            `RG_CTRL_MAX_ORDERS: begin
                                // a control event carries no decision: the count does not
                                // change in the same cycle
                                max_ord_q[tacct1*32 +: 32] <= uval1[31:0];
                                thr_full_q[tacct1]         <= ctl_full;
                                thr_zmax_q[tacct1]         <= (uval1[31:0] == 32'd0);
                            end
                            `RG_CTRL_MAX_OPEN_ORDERS:     max_open_q[tacct1*32 +: 32] <= uval1[31:0];
                            `RG_CTRL_ACCOUNT_REDUCE_ONLY: ro_acct_q[tacct1]           <= uval1[0];
                            `RG_CTRL_SYMBOL_REDUCE_ONLY:  ro_sym_q[tsym1]             <= uval1[0];
                            `RG_CTRL_MAX_ORDER_RATE:      max_rate_q[tacct1*32 +: 32] <= uval1[31:0];
                            `RG_CTRL_ACCOUNT_KILL:        acct_kill_q[tacct1]         <= uval1[0];
                            `RG_CTRL_MAX_DAILY_LOSS:      loss_lim_q[tacct1*64 +: 64] <= uval1;
                            default: ;      // DUP_WINDOW: below
                        endcase
                    end
                    default: ;
                endcase
                // the best bid of the symbol's last TOB record (SHORT_SALE)
                if (tob1_q[`RG_TOB_EMIT_LO]) bid_q[sym1*32 +: 32] <= tob1_q[`RG_TOB_BID_PX_LO +: `RG_TOB_BID_PX_W];
                // order path: a foreign frame engages the global kill switch; a valid order
                // counts in its rate window; an accepted one in the throttle (pw_we_q, a cycle later)
                if (oe1_q && !obl1_q && ofr1_q) global_kill_q <= 1'b1;
                for (j = 0; j < NA; j = j + 1)
                    if (o_order && a1 == j[ACCT_W-1:0]) begin
                        rate_win_q[j*48 +: 48] <= win;
                        rate_cnt_q[j*32 +: 32] <= ratenx_a_q;
                    end
                if (pl_upd) begin
                    pv_q[pa1_q]             <= 1'b1;
                    mkd_q[pl_a*64 +: 64]    <= pl_mkd;
                    cash_q[pl_a*64 +: 64]   <= pl_cash;
                    if (loss_trip) acct_kill_q[pl_a] <= 1'b1;
                end
                if (o_ven && o_exec) begin
                    pos_q[vs*32 +: 32] <= v_posn;
                    for (j = 0; j < NS; j = j + 1)
                        if (vs == j[SYM_W-1:0]) begin
                            up_q[j*35 +: 35] <= room_up(v_lim, v_posn);
                            dn_q[j*35 +: 35] <= room_dn(v_lim, v_posn);
                        end
                    used_q[va*64 +: 64] <= v_used;
                    leg_seq_q <= ev1_q[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W];
                    legs_q    <= v_leg;
                end
                if (accept1) begin
                    pos_q[sym1*32 +: 32]     <= pos_new[31:0];
                    for (j = 0; j < NS; j = j + 1)
                        if (sym1 == j[SYM_W-1:0]) begin
                            up_q[j*35 +: 35] <= up_new;
                            dn_q[j*35 +: 35] <= dn_new;
                        end
                    used_q[a1*64 +: 64]      <= used_new;
                end
                for (j = 0; j < NA; j = j + 1) begin
                    if (dupw_upd2 && tacct1 == j[ACCT_W-1:0]) dup_win_q[j*64 +: 64] <= uval1;
                    if (credw_upd2 && tacct1 == j[ACCT_W-1:0]) begin
                        over_q[j]          <= ctl_head[64];
                        cmax_q[j]          <= &uval1;
                        head_q[j*64 +: 64] <= ctl_head[63:0];
                    end
                    if (accept1 && a1 == j[ACCT_W-1:0]) head_q[j*64 +: 64] <= head_new;
                    if (o_ven && o_exec && va == j[ACCT_W-1:0]) begin
                        // used may pass the credit limit: executions are booked, not checked
                        head_q[j*64 +: 64] <= v_hsub[64] ? 64'd0 : v_hsub[63:0];
                        if (!cmax_q[j] && v_hsub[64]) over_q[j] <= 1'b1;
                    end
                end
                st_decision <= dec1;
                st_accepted <= accept1;
                st_rejected <= dec1 && !accept1;
                st_problem  <= oe1_q ? o_prob : 8'd0;
                st_control  <= (oe1_q && !obl1_q && ofr1_q) || loss_trip;
                st_fill     <= o_ven && o_exec;
            end
            if (v1_q && oe1_q) ph_q <= go2 ? 2'd0 : (ph_q == 2'd2) ? 2'd2 : ph_q + 2'd1;
            if (adv2) begin
                v2_q <= fire2;
                if (fire2) begin
                    ev2_q  <= ev1o;
                    tob2_q <= tob1_q;
                    ord2_q <= ord1_q;
                    vrd2_q <= vrd1;
                end
            end
        end
    end

    // R2a and R2b (an order event's values are steady while it waits in R2: nothing else
    // writes the state it reads)
    always @(posedge clk) begin
        oo_a_q    <= o_order_c;
        ov_a_q    <= o_ven_c;
        obx_a_q   <= ob_x_c;
        osx_a_q   <= os_x_c;
        son_a_q   <= sum_on;
        sphh_a_q  <= sl_price1_q[31:16] * sl_open1_q[31:16];
        spll_a_q  <= sl_price1_q[15:0] * sl_open1_q[15:0];
        sphl_a_q  <= sl_price1_q[31:16] * sl_open1_q[15:0];
        splh_a_q  <= sl_price1_q[15:0] * sl_open1_q[31:16];
        srep_a_q  <= o_repl;
        ocx_a_q   <= oc_x_c;
        rsq_a_q   <= $signed({{2{room_same[34]}}, room_same}) - $signed({5'd0, dqty1});
        roq_a_q   <= $signed({{2{room_other[34]}}, room_other}) + $signed({5'd0, dqty1});
        hn_a_q    <= $signed({2'b00, head_q[a1*64 +: 64]}) - $signed({2'b00, not1_q});
        rop_a_q   <= buy1 ? -(p40 + $signed({8'd0, dqty1})) : p40 - $signed({8'd0, dqty1});
        pos_a_q   <= pl_pos_c;
        term0_a_q <= pl_term0;
        s1_a_q    <= sat_sub(mkd_a, pl_term0);
        cash_a_q  <= pl_cash_c;
        mkd_a_q   <= mkd_a;
        lim_a_q   <= loss_lim_q[pl_a*64 +: 64];
        pp0l_a_q  <= pw_p0 * pl_ml;
        pp0h_a_q  <= pw_p0 * pl_mh;
        pp1l_a_q  <= pw_p1 * pl_ml;
        pp1h_a_q  <= pw_p1 * pl_mh;
        pp2l_a_q  <= pw_p2 * pl_ml;
        pp2h_a_q  <= pw_p2 * pl_mh;
        pp3l_a_q  <= $signed(pw_p3) * $signed({1'b0, pl_ml});
        pp3h_a_q  <= $signed(pw_p3) * $signed({1'b0, pl_mh});
        pq0l_a_q  <= qx1_q[15:0] * pl_ml;
        pq0h_a_q  <= qx1_q[15:0] * pl_mh;
        pq1l_a_q  <= qx1_q[31:16] * pl_ml;
        pq1h_a_q  <= qx1_q[31:16] * pl_mh;
        ptop_a_q  <= pl_top_c;
        psub_a_q  <= pl_sub_c;
        rmk_a_q   <= pl_remark_c;
        rsn_b_q   <= reasons_ord;
        orate_a_q <= (rate_in >= max_rate_q[a1*32 +: 32]);
        ratenx_a_q <= rate_nx_c;
        prod_b_q  <= $signed(pp_x + pp_y);
        v_b_q     <= v_c;
        kbig_b_q  <= !k_c[67] && (k_c[66:63] != 4'd0);
        vn_b_q    <= vn_c[67];
        akill_a_q <= acct_kill_q[pl_a];
        ltok_b_q  <= !akill_a_q && (lim_a_q != 64'd0) && !lim_a_q[63];
        // the pending write of the last accepted order and the throttle (pw_we_q below)
        pw_acct_q <= a1;
        pw_sym_q  <= sym1;
        pw_buy_q  <= buy1;
        pw_px_q   <= dpx1;
        pw_qty_q  <= dqty1;
        pw_ts_q   <= ts1;
        pw_win_q  <= win;
        pw_cnt_q  <= cnt_nx;
        pw_full_q <= full_nx;
        // the open-order table's operands (po_*_q, see above) and the slot as the operation
        // writes it (ps_*_q)
        po_id_q        <= oid1_q[11:0];
        po_acct_q      <= ov1_q ? sl_acct1_q : a1;
        po_sym_q       <= ov1_q ? sl_sym1_q : sym1;
        po_side_q      <= ov1_q ? sl_side1_q : osd1_q;
        po_old_open_q  <= sl_open1_q;
        po_old_price_q <= sl_price1_q;
        po_price_q     <= dpx1;
        po_qty_q       <= dqty1;
        ps_open_q      <= po_reduce_q ? po_old_open_q - po_qty_q : po_qty_q;
        ps_price_q     <= po_price_q;
        ps_acct_q      <= po_acct_q;
        ps_sym_q       <= po_sym_q;
        ps_side_q      <= po_side_q;
    end

    assign m_valid = v2_q;
    assign m_ev    = ev2_q;
    assign m_tob   = tob2_q;
    assign m_ord   = ord2_q;
    assign m_vrd   = vrd2_q;
    assign idle    = !v0_q && !v1_q && !v2_q;

endmodule
`default_nettype wire
