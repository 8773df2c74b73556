// Pre-trade risk checks, fills and the risk state (spec sections 8.2, 8.3, 9).
//
// Owns every piece of state the checks read: kill switches, trading states, market_open,
// last trades, per-symbol limits and positions, per-account credit, throttle and duplicate
// window with the last accepted order. State updates travel in the event stream in message
// order (S, H, W, last trade from E/C/P, valid control messages), so the checks of message
// k see exactly the state after k.
//
// Three stages, one event per cycle. Every state variable is read and written in one stage
// (so back-to-back events need no forwarding between stages):
//   R0  last_trade and collar_bps (updates, then the reference price and |price - ref|)
//   R1  the products into registers (|price - ref| x 10000, ref x collar, price x qty; no
//       state), the throttle window (ts >> shift) and the symbol's account
//   R2  everything else: reasons, verdict, position/credit/throttle/last-order updates on
//       accept. CREDIT compares the notional with the account's headroom (credit - used,
//       kept beside used) instead of adding then comparing; POSITION likewise compares the
//       quantity with the symbol's room up (limit - position) and down (limit + position).
// Reason bits, control ops and bus fields come from the contract (rg_contract.vh).
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

    output reg                  st_decision,
    output reg                  st_accepted,
    output reg                  st_rejected,
    output wire                 idle
);
    localparam integer NS = MAX_SYMBOLS;
    localparam integer NA = MAX_ACCOUNTS;

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

    // ---------------------------------------------------------------- state
    reg                  global_kill_q, market_open_q;
    reg [NS-1:0]         kill_q;
    reg [NS*8-1:0]       tstate_q;
    reg [NS*32-1:0]      last_trade_q;     // R1
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
    reg [NA*64-1:0]      dup_win_q;        // DUPLICATE window, ns (0 = off)
    reg [NA-1:0]         lo_valid_q;       // last accepted order of the account
    reg [NA*SYM_W-1:0]   lo_sym_q;
    reg [NA-1:0]         lo_buy_q;
    reg [NA*32-1:0]      lo_px_q;
    reg [NA*32-1:0]      lo_qty_q;
    reg [NA*48-1:0]      lo_ts_q;

    // ---------------------------------------------------------------- pipeline registers
    reg                 v0_q;
    reg [`RG_EV_W-1:0]  ev0_q;
    reg [`RG_TOB_W-1:0] tob0_q;
    reg [`RG_ORD_W-1:0] ord0_q;
    reg                 noref0_q;
    reg [31:0]          ref0_q, pdiff0_q;
    reg [15:0]          coll0_q;

    reg                 v1_q;
    reg [`RG_EV_W-1:0]  ev1_q;
    reg [`RG_TOB_W-1:0] tob1_q;
    reg [`RG_ORD_W-1:0] ord1_q;
    reg                 noref1_q;
    reg [45:0]          clhs1_q;           // |price - ref| x 10000 (< 2^46)
    reg [47:0]          crhs1_q;           // ref x collar_bps
    reg [63:0]          not1_q;
    reg [47:0]          win1_q;            // throttle window of ts
    reg [ACCT_W-1:0]    a1_q;              // the symbol's account

    reg                 v2_q;
    reg [`RG_EV_W-1:0]  ev2_q;
    reg [`RG_TOB_W-1:0] tob2_q;
    reg [`RG_ORD_W-1:0] ord2_q;
    reg [`RG_VRD_W-1:0] vrd2_q;

    wire adv2 = !v2_q || m_ready;
    wire adv1 = !v1_q || adv2;
    wire adv0 = !v0_q || adv1;
    assign s_ready = adv0;

    // ---------------------------------------------------------------- R0 datapath
    wire [2:0]       s_ukind = s_ev[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W];
    wire [SYM_W-1:0] s_usym  = s_ev[`RG_EV_USYM_LO +: SYM_W];
    wire [7:0]       s_ucode = s_ev[`RG_EV_UCODE_LO +: `RG_EV_UCODE_W];
    wire [31:0]      s_uval  = s_ev[`RG_EV_UVAL_LO +: 32];
    wire [15:0]      s_utgt  = s_ev[`RG_EV_UTGT_LO +: `RG_EV_UTGT_W];
    wire [SYM_W-1:0] s_sym   = s_tob[`RG_TOB_SYM_LO +: SYM_W];
    wire [31:0]      s_price = s_ord[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire             s_last_upd = s_valid && adv0 && (s_ukind == `RG_UPD_LAST);
    wire             s_coll_upd = s_valid && adv0 && (s_ukind == `RG_UPD_CTRL) && (s_ucode == `RG_CTRL_COLLAR_BPS);

    wire [31:0] ref_px   = (s_ukind == `RG_UPD_LAST && s_usym == s_sym) ? s_uval[31:0] : last_trade_q[s_sym*32 +: 32];
    wire [32:0] p_m_ref  = {1'b0, s_price} - {1'b0, ref_px};
    wire [31:0] pdiff    = p_m_ref[32] ? (ref_px - s_price) : p_m_ref[31:0];

    // ---------------------------------------------------------------- R1 datapath
    wire [47:0]       ts0      = ev0_q[`RG_EV_TS_LO +: `RG_EV_TS_W];
    wire [SYM_W-1:0]  sym0     = tob0_q[`RG_TOB_SYM_LO +: SYM_W];
    wire [31:0]       price0   = ord0_q[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire [31:0]       qty0     = ord0_q[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W];
    wire [45:0]       c_lhs    = {14'd0, pdiff0_q} * 46'd10000;
    wire [47:0]       c_rhs    = {16'd0, ref0_q} * {32'd0, coll0_q};
    wire [63:0]       notional = {32'd0, price0} * {32'd0, qty0};

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
    wire [34:0]       up1     = up_q[sym1*35 +: 35];
    wire [34:0]       dn1     = dn_q[sym1*35 +: 35];
    wire [34:0]       qty35   = {3'b000, dqty1};
    wire [34:0]       room_same  = buy1 ? up1 : dn1;
    wire [34:0]       room_other = buy1 ? dn1 : up1;
    wire [34:0]       other_sum  = room_other + qty35;
    wire              pos_x   = ($signed(qty35) > $signed(room_same)) || other_sum[34];
    // the room after an accepted order, from the wrapped 32-bit position it leaves
    wire [31:0]       lim1    = pos_lim_q[sym1*32 +: 32];
    wire [34:0]       up_new  = room_up(lim1, pos_new[31:0]);
    wire [34:0]       dn_new  = room_dn(lim1, pos_new[31:0]);
    wire [64:0]       used_sum = {1'b0, used_q[a1*64 +: 64]} + {1'b0, not1_q};
    wire [63:0]       used_new = used_sum[64] ? 64'hFFFF_FFFF_FFFF_FFFF : used_sum[63:0];
    // saturating used + notional > credit  <=>  over, or notional > credit - used (unless
    // credit = 2^64 - 1, which a saturated sum never exceeds)
    wire [64:0]       head_sub = {1'b0, head_q[a1*64 +: 64]} - {1'b0, not1_q};
    wire              credit_x = over_q[a1] || (!cmax_q[a1] && head_sub[64]);
    wire [63:0]       head_new = head_sub[64] ? 64'd0 : head_sub[63:0];   // on accept (saturated used)
    wire [47:0]       win     = win1_q;
    wire [31:0]       cnt_in  = (thr_win_q[a1*48 +: 48] == win) ? thr_cnt_q[a1*32 +: 32] : 32'd0;

    // DUPLICATE: the account's last accepted order has the same symbol, side, price and
    // qty and its window has not elapsed (ts going backwards counts as not elapsed)
    wire [63:0] dwin     = dup_win_q[a1*64 +: 64];
    wire [47:0] lo_ts    = lo_ts_q[a1*48 +: 48];
    wire [47:0] lo_age   = ts1 - lo_ts;
    wire        lo_same  = lo_valid_q[a1] && (lo_sym_q[a1*SYM_W +: SYM_W] == sym1) && (lo_buy_q[a1] == buy1) &&
                           (lo_px_q[a1*32 +: 32] == dpx1) && (lo_qty_q[a1*32 +: 32] == dqty1);
    wire        lo_fresh = (ts1 < lo_ts) || ({16'd0, lo_age} < dwin);

    reg [`RG_VRD_REASONS_W-1:0] reasons;
    always @(*) begin
        reasons = {`RG_VRD_REASONS_W{1'b0}};
        reasons[`RG_RSN_KILL]          = global_kill_q || kill_q[sym1];
        reasons[`RG_RSN_HALTED]        = (tstate_q[sym1*8 +: 8] != `RG_ASCII_T);
        reasons[`RG_RSN_MARKET_CLOSED] = cfg_gate && !market_open_q;
        reasons[`RG_RSN_MAX_QTY]       = (dqty1 > max_qty_q[sym1*32 +: 32]);
        reasons[`RG_RSN_MAX_NOTIONAL]  = (not1_q > max_not_q[sym1*64 +: 64]);
        reasons[`RG_RSN_NO_REF]        = noref1_q;
        reasons[`RG_RSN_COLLAR]        = !noref1_q && ({2'b00, clhs1_q} > crhs1_q);
        reasons[`RG_RSN_POSITION]      = pos_x;
        reasons[`RG_RSN_CREDIT]        = credit_x;
        reasons[`RG_RSN_THROTTLE]      = (cnt_in >= max_ord_q[a1*32 +: 32]);
        reasons[`RG_RSN_DUPLICATE]     = (dwin != 64'd0) && lo_same && lo_fresh;
    end
    wire accept1 = dec1 && (reasons == {`RG_VRD_REASONS_W{1'b0}});
    wire unused_pos = ^{pos_new[33:32], other_sum[33:0]};

    reg [`RG_VRD_W-1:0] vrd1;
    always @(*) begin
        vrd1 = {`RG_VRD_W{1'b0}};
        vrd1[`RG_VRD_REASONS_LO +: `RG_VRD_REASONS_W]     = reasons;
        vrd1[`RG_VRD_ACCEPTED_LO]                         = accept1;
        vrd1[`RG_VRD_ACCT_LO +: ACCT_W]                   = a1;
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
    wire              do_upd2 = v1_q && adv2;
    wire              dupw_upd2 = do_upd2 && (ukind1 == `RG_UPD_CTRL) && (ucode1 == `RG_CTRL_DUP_WINDOW);
    // CREDIT_LIMIT: the new headroom from the account's used (a control event carries no
    // decision, so used does not change in the same cycle)
    wire              credw_upd2 = do_upd2 && (ukind1 == `RG_UPD_CTRL) && (ucode1 == `RG_CTRL_CREDIT_LIMIT);
    wire [64:0]       ctl_head   = {1'b0, uval1} - {1'b0, used_q[tacct1*64 +: 64]};
    wire [64:0]       init_head  = {1'b0, init_acct_credit} - {1'b0, init_acct_used};

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
            tstate_q      <= {NS{`RG_ASCII_T}};
            last_trade_q  <= {(NS*32){1'b0}};
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
            dup_win_q     <= {(NA*64){1'b0}};
            lo_valid_q    <= {NA{1'b0}};
            lo_sym_q      <= {(NA*SYM_W){1'b0}};
            lo_buy_q      <= {NA{1'b0}};
            lo_px_q       <= {(NA*32){1'b0}};
            lo_qty_q      <= {(NA*32){1'b0}};
            lo_ts_q       <= {(NA*48){1'b0}};
            v1_q <= 1'b0; ev1_q <= {`RG_EV_W{1'b0}}; tob1_q <= {`RG_TOB_W{1'b0}}; ord1_q <= {`RG_ORD_W{1'b0}};
            v0_q <= 1'b0; ev0_q <= {`RG_EV_W{1'b0}}; tob0_q <= {`RG_TOB_W{1'b0}}; ord0_q <= {`RG_ORD_W{1'b0}};
            noref0_q <= 1'b0; ref0_q <= 32'd0; pdiff0_q <= 32'd0; coll0_q <= 16'd0;
            noref1_q <= 1'b0; clhs1_q <= 46'd0; crhs1_q <= 48'd0; not1_q <= 64'd0;
            win1_q <= 48'd0; a1_q <= {ACCT_W{1'b0}};
            v2_q <= 1'b0; ev2_q <= {`RG_EV_W{1'b0}}; tob2_q <= {`RG_TOB_W{1'b0}}; ord2_q <= {`RG_ORD_W{1'b0}};
            vrd2_q <= {`RG_VRD_W{1'b0}};
            st_decision <= 1'b0; st_accepted <= 1'b0; st_rejected <= 1'b0;
        end else begin
            st_decision <= 1'b0;
            st_accepted <= 1'b0;
            st_rejected <= 1'b0;

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
                up_q[init_sym_idx*35 +: 35]              <= room_up(init_sym_pos_limit, init_sym_pos);
                dn_q[init_sym_idx*35 +: 35]              <= room_dn(init_sym_pos_limit, init_sym_pos);
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
                end

            // ---- R0
            if (s_last_upd) last_trade_q[s_usym*32 +: 32] <= s_uval[31:0];
            if (s_coll_upd) collar_q[s_utgt[SYM_W-1:0]*16 +: 16] <= s_uval[15:0];
            if (adv0) begin
                v0_q <= s_valid;
                if (s_valid) begin
                    ev0_q    <= s_ev;
                    tob0_q   <= s_tob;
                    ord0_q   <= s_ord;
                    noref0_q <= (ref_px == 32'd0);
                    ref0_q   <= ref_px;
                    pdiff0_q <= pdiff;
                    coll0_q  <= collar_q[s_sym*16 +: 16];
                end
            end

            // ---- R1 (no state)
            if (adv1) begin
                v1_q <= v0_q;
                if (v0_q) begin
                    ev1_q    <= ev0_q;
                    tob1_q   <= tob0_q;
                    ord1_q   <= ord0_q;
                    noref1_q <= noref0_q;
                    clhs1_q  <= c_lhs;
                    crhs1_q  <= c_rhs;
                    not1_q   <= notional;
                    win1_q   <= ts0 >> cfg_w_shift;
                    a1_q     <= acct_of_q[sym0*ACCT_W +: ACCT_W];
                end
            end

            // ---- R2
            if (do_upd2) begin
                case (ukind1)
                    `RG_UPD_MKT: begin
                        if (ucode1 == `RG_ASCII_Q) market_open_q <= 1'b1;
                        if (ucode1 == `RG_ASCII_M) market_open_q <= 1'b0;
                    end
                    `RG_UPD_HALT: tstate_q[usym1*8 +: 8] <= ucode1;
                    `RG_UPD_MWCB: tstate_q <= {NS{`RG_ASCII_H}};
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
                                up_q[tsym1*35 +: 35]      <= room_up(uval1[31:0], pos_q[tsym1*32 +: 32]);
                                dn_q[tsym1*35 +: 35]      <= room_dn(uval1[31:0], pos_q[tsym1*32 +: 32]);
                            end
                            // CREDIT_LIMIT: below (headroom)
                            `RG_CTRL_MAX_ORDERS:     max_ord_q[tacct1*32 +: 32] <= uval1[31:0];
                            default: ;      // DUP_WINDOW: below
                        endcase
                    end
                    default: ;
                endcase
                if (accept1) begin
                    pos_q[sym1*32 +: 32]     <= pos_new[31:0];
                    up_q[sym1*35 +: 35]      <= up_new;
                    dn_q[sym1*35 +: 35]      <= dn_new;
                    used_q[a1*64 +: 64]      <= used_new;
                    thr_win_q[a1*48 +: 48]   <= win;
                    thr_cnt_q[a1*32 +: 32]   <= cnt_in + 32'd1;
                end
                for (j = 0; j < NA; j = j + 1) begin
                    if (dupw_upd2 && tacct1 == j[ACCT_W-1:0]) dup_win_q[j*64 +: 64] <= uval1;
                    if (credw_upd2 && tacct1 == j[ACCT_W-1:0]) begin
                        over_q[j]          <= ctl_head[64];
                        cmax_q[j]          <= &uval1;
                        head_q[j*64 +: 64] <= ctl_head[63:0];
                    end
                    if (accept1 && a1 == j[ACCT_W-1:0]) head_q[j*64 +: 64] <= head_new;
                    if (accept1 && a1 == j[ACCT_W-1:0]) begin
                        lo_valid_q[j]              <= 1'b1;
                        lo_sym_q[j*SYM_W +: SYM_W] <= sym1;
                        lo_buy_q[j]                <= buy1;
                        lo_px_q[j*32 +: 32]        <= dpx1;
                        lo_qty_q[j*32 +: 32]       <= dqty1;
                        lo_ts_q[j*48 +: 48]        <= ts1;
                    end
                end
                st_decision <= dec1;
                st_accepted <= accept1;
                st_rejected <= dec1 && !accept1;
            end
            if (adv2) begin
                v2_q <= v1_q;
                if (v1_q) begin
                    ev2_q  <= ev1_q;
                    tob2_q <= tob1_q;
                    ord2_q <= ord1_q;
                    vrd2_q <= vrd1;
                end
            end
        end
    end

    assign m_valid = v2_q;
    assign m_ev    = ev2_q;
    assign m_tob   = tob2_q;
    assign m_ord   = ord2_q;
    assign m_vrd   = vrd2_q;
    assign idle    = !v0_q && !v1_q && !v2_q;
endmodule
`default_nettype wire
