// Pre-trade risk checks, fills and the risk state (spec sections 8.2, 8.3, 9).
//
// Owns every piece of state the checks read: kill switches, trading states, market_open,
// last trades, per-symbol limits and positions, per-account credit and throttle. State
// updates travel in the event stream in message order (S, H, W, last trade from E/C/P,
// valid control messages), so the checks of message k see exactly the state after k.
//
// Two stages, one event per cycle. Every state variable is read and written in one stage:
//   R1  last_trade and collar_bps (updates, then the collar and notional products)
//   R2  everything else: reasons, verdict, position/credit/throttle updates on accept
`default_nettype none
`include "rg_defs.vh"
module rg_risk #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer MAX_ACCOUNTS = 64,
    parameter integer EV_WIDTH     = 475,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer ACCT_W       = (MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1
) (
    input  wire                clk,
    input  wire                rst,

    // start-of-day configuration
    input  wire                cfg_gate,
    input  wire [5:0]          cfg_w_shift,
    input  wire                init_hdr_we,
    input  wire                init_global_kill,
    input  wire                init_sym_we,
    input  wire [SYM_W-1:0]    init_sym_idx,
    input  wire [ACCT_W-1:0]   init_sym_acct,
    input  wire                init_sym_kill,
    input  wire [15:0]         init_sym_collar,
    input  wire [31:0]         init_sym_max_qty,
    input  wire [63:0]         init_sym_max_notional,
    input  wire [31:0]         init_sym_pos_limit,
    input  wire [31:0]         init_sym_pos,
    input  wire                init_acct_we,
    input  wire [ACCT_W-1:0]   init_acct_idx,
    input  wire [31:0]         init_acct_id,
    input  wire [31:0]         init_acct_max_orders,
    input  wire [63:0]         init_acct_credit,
    input  wire [63:0]         init_acct_used,

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
    input  wire                s_dec,
    input  wire                s_dec_buy,
    input  wire [31:0]         s_dec_price,
    input  wire [31:0]         s_dec_qty,

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
    output wire [15:0]         m_reasons,
    output wire                m_accepted,
    output wire [ACCT_W-1:0]   m_acct_idx,
    output wire [31:0]         m_acct_id,
    output wire [31:0]         m_pos_after,

    output reg                 st_decision,
    output reg                 st_accepted,
    output reg                 st_rejected,
    output wire                idle
);
    localparam integer NS = MAX_SYMBOLS;
    localparam integer NA = MAX_ACCOUNTS;

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
    reg [NS*ACCT_W-1:0]  acct_of_q;
    reg [NA*32-1:0]      acct_id_q;
    reg [NA*32-1:0]      max_ord_q;
    reg [NA*64-1:0]      credit_q;
    reg [NA*64-1:0]      used_q;
    reg [NA*48-1:0]      thr_win_q;
    reg [NA*32-1:0]      thr_cnt_q;

    // ---------------------------------------------------------------- pipeline registers
    reg                v1_q;
    reg [EV_WIDTH-1:0] ev1_q;
    reg [SYM_W-1:0]    sym1_q;
    reg [7:0]          flags1_q;
    reg                tob1_q, dec1_q, buy1_q;
    reg [31:0]         bpx1_q, bsz1_q, apx1_q, asz1_q, dpx1_q, dqty1_q;
    reg                noref1_q, collar1_q;
    reg [63:0]         not1_q;

    reg                v2_q;
    reg [EV_WIDTH-1:0] ev2_q;
    reg [SYM_W-1:0]    sym2_q;
    reg [7:0]          flags2_q;
    reg                tob2_q, dec2_q, buy2_q, acc2_q;
    reg [31:0]         bpx2_q, bsz2_q, apx2_q, asz2_q, dpx2_q, dqty2_q;
    reg [15:0]         reasons2_q;
    reg [ACCT_W-1:0]   acct2_q;
    reg [31:0]         acct_id2_q, pos2_q;

    wire adv2 = !v2_q || m_ready;
    wire adv1 = !v1_q || adv2;
    assign s_ready = adv1;

    // ---------------------------------------------------------------- R1 datapath
    wire [2:0]       s_ukind = s_ev[`RG_EV_UKIND_LO +: 3];
    wire [SYM_W-1:0] s_usym  = s_ev[`RG_EV_USYM_LO +: SYM_W];
    wire [7:0]       s_ucode = s_ev[`RG_EV_UCODE_LO +: 8];
    wire [31:0]      s_uval  = s_ev[`RG_EV_UVAL_LO +: 32];
    wire [15:0]      s_utgt  = s_ev[`RG_EV_UTGT_LO +: 16];
    wire             s_last_upd = s_valid && adv1 && (s_ukind == `RG_UPD_LAST);
    wire             s_coll_upd = s_valid && adv1 && (s_ukind == `RG_UPD_CTRL) && (s_ucode == 8'd6);

    wire [31:0] ref_px  = (s_ukind == `RG_UPD_LAST && s_usym == s_sym) ? s_uval[31:0] : last_trade_q[s_sym*32 +: 32];
    wire [31:0] pdiff   = (s_dec_price >= ref_px) ? (s_dec_price - ref_px) : (ref_px - s_dec_price);
    wire [63:0] c_lhs   = {32'd0, pdiff} * 64'd10000;
    wire [63:0] c_rhs   = {32'd0, ref_px} * {48'd0, collar_q[s_sym*16 +: 16]};
    wire [63:0] notional = {32'd0, s_dec_price} * {32'd0, s_dec_qty};

    // ---------------------------------------------------------------- R2 datapath
    wire [47:0]       ts1     = ev1_q[`RG_EV_TS_LO +: 48];
    wire [ACCT_W-1:0] a1      = acct_of_q[sym1_q*ACCT_W +: ACCT_W];
    wire [31:0]       pos1    = pos_q[sym1_q*32 +: 32];
    wire [33:0]       pos_new = {{2{pos1[31]}}, pos1} + (buy1_q ? {2'b00, dqty1_q} : -{2'b00, dqty1_q});
    wire [33:0]       pos_abs = pos_new[33] ? -pos_new : pos_new;
    wire [64:0]       used_sum = {1'b0, used_q[a1*64 +: 64]} + {1'b0, not1_q};
    wire [63:0]       used_new = used_sum[64] ? 64'hFFFF_FFFF_FFFF_FFFF : used_sum[63:0];
    wire [47:0]       win     = ts1 >> cfg_w_shift;
    wire [31:0]       cnt_in  = (thr_win_q[a1*48 +: 48] == win) ? thr_cnt_q[a1*32 +: 32] : 32'd0;

    wire [15:0] reasons = {
        6'd0,
        (cnt_in >= max_ord_q[a1*32 +: 32]),                       // 9 THROTTLE
        (used_new > credit_q[a1*64 +: 64]),                       // 8 CREDIT
        (pos_abs > {2'b00, pos_lim_q[sym1_q*32 +: 32]}),          // 7 POSITION
        collar1_q,                                                // 6 COLLAR
        noref1_q,                                                 // 5 NO_REF
        (not1_q > max_not_q[sym1_q*64 +: 64]),                    // 4 MAX_NOTIONAL
        (dqty1_q > max_qty_q[sym1_q*32 +: 32]),                   // 3 MAX_QTY
        (cfg_gate && !market_open_q),                             // 2 MARKET_CLOSED
        (tstate_q[sym1_q*8 +: 8] != `RG_ASCII_T),                     // 1 HALTED
        (global_kill_q || kill_q[sym1_q])                         // 0 KILL
    };
    wire accept1 = dec1_q && (reasons == 16'd0);
    wire unused_pos = ^{pos_abs[33:32]};

    wire [2:0]       ukind1 = ev1_q[`RG_EV_UKIND_LO +: 3];
    wire [SYM_W-1:0] usym1  = ev1_q[`RG_EV_USYM_LO +: SYM_W];
    wire [7:0]       ucode1 = ev1_q[`RG_EV_UCODE_LO +: 8];
    wire [63:0]      uval1  = ev1_q[`RG_EV_UVAL_LO +: 64];
    wire [15:0]      utgt1  = ev1_q[`RG_EV_UTGT_LO +: 16];
    wire [SYM_W-1:0] tsym1  = utgt1[SYM_W-1:0];
    wire [ACCT_W-1:0] tacct1 = utgt1[ACCT_W-1:0];
    wire              do_upd2 = v1_q && adv2;
    wire unused_ev = ^{s_utgt[15:SYM_W], s_ev[`RG_EV_USYM_LO + SYM_W +: 8 - SYM_W], ev1_q[`RG_EV_USYM_LO + SYM_W +: 8 - SYM_W],
                       utgt1[15:SYM_W]};

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
            acct_of_q     <= {(NS*ACCT_W){1'b0}};
            acct_id_q     <= {(NA*32){1'b0}};
            max_ord_q     <= {(NA*32){1'b0}};
            credit_q      <= {(NA*64){1'b0}};
            used_q        <= {(NA*64){1'b0}};
            thr_win_q     <= {(NA*48){1'b0}};
            thr_cnt_q     <= {(NA*32){1'b0}};
            v1_q <= 1'b0; ev1_q <= {EV_WIDTH{1'b0}}; sym1_q <= {SYM_W{1'b0}}; flags1_q <= 8'd0;
            tob1_q <= 1'b0; dec1_q <= 1'b0; buy1_q <= 1'b0;
            bpx1_q <= 32'd0; bsz1_q <= 32'd0; apx1_q <= 32'd0; asz1_q <= 32'd0; dpx1_q <= 32'd0; dqty1_q <= 32'd0;
            noref1_q <= 1'b0; collar1_q <= 1'b0; not1_q <= 64'd0;
            v2_q <= 1'b0; ev2_q <= {EV_WIDTH{1'b0}}; sym2_q <= {SYM_W{1'b0}}; flags2_q <= 8'd0;
            tob2_q <= 1'b0; dec2_q <= 1'b0; buy2_q <= 1'b0; acc2_q <= 1'b0;
            bpx2_q <= 32'd0; bsz2_q <= 32'd0; apx2_q <= 32'd0; asz2_q <= 32'd0; dpx2_q <= 32'd0; dqty2_q <= 32'd0;
            reasons2_q <= 16'd0; acct2_q <= {ACCT_W{1'b0}}; acct_id2_q <= 32'd0; pos2_q <= 32'd0;
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
            end
            if (init_acct_we) begin
                acct_id_q[init_acct_idx*32 +: 32] <= init_acct_id;
                max_ord_q[init_acct_idx*32 +: 32] <= init_acct_max_orders;
                credit_q[init_acct_idx*64 +: 64]  <= init_acct_credit;
                used_q[init_acct_idx*64 +: 64]    <= init_acct_used;
            end

            // ---- R1
            if (s_last_upd) last_trade_q[s_usym*32 +: 32] <= s_uval[31:0];
            if (s_coll_upd) collar_q[s_utgt[SYM_W-1:0]*16 +: 16] <= s_uval[15:0];
            if (adv1) begin
                v1_q <= s_valid;
                if (s_valid) begin
                    ev1_q     <= s_ev;
                    sym1_q    <= s_sym;
                    flags1_q  <= s_flags;
                    tob1_q    <= s_tob;
                    dec1_q    <= s_dec;
                    buy1_q    <= s_dec_buy;
                    bpx1_q    <= s_bid_px;
                    bsz1_q    <= s_bid_sz;
                    apx1_q    <= s_ask_px;
                    asz1_q    <= s_ask_sz;
                    dpx1_q    <= s_dec_price;
                    dqty1_q   <= s_dec_qty;
                    noref1_q  <= (ref_px == 32'd0);
                    collar1_q <= (ref_px != 32'd0) && (c_lhs > c_rhs);
                    not1_q    <= notional;
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
                        case (ucode1)
                            8'd1: global_kill_q                 <= uval1[0];
                            8'd2: kill_q[tsym1]                 <= uval1[0];
                            8'd3: max_qty_q[tsym1*32 +: 32]     <= uval1[31:0];
                            8'd4: max_not_q[tsym1*64 +: 64]     <= uval1;
                            8'd5: pos_lim_q[tsym1*32 +: 32]     <= uval1[31:0];
                            8'd7: credit_q[tacct1*64 +: 64]     <= uval1;
                            8'd8: max_ord_q[tacct1*32 +: 32]    <= uval1[31:0];
                            default: ;
                        endcase
                    end
                    default: ;
                endcase
                if (accept1) begin
                    pos_q[sym1_q*32 +: 32]  <= pos_new[31:0];
                    used_q[a1*64 +: 64]     <= used_new;
                    thr_win_q[a1*48 +: 48]  <= win;
                    thr_cnt_q[a1*32 +: 32]  <= cnt_in + 32'd1;
                end
                st_decision <= dec1_q;
                st_accepted <= accept1;
                st_rejected <= dec1_q && !accept1;
            end
            if (adv2) begin
                v2_q <= v1_q;
                if (v1_q) begin
                    ev2_q      <= ev1_q;
                    sym2_q     <= sym1_q;
                    flags2_q   <= flags1_q;
                    tob2_q     <= tob1_q;
                    dec2_q     <= dec1_q;
                    buy2_q     <= buy1_q;
                    acc2_q     <= accept1;
                    bpx2_q     <= bpx1_q;
                    bsz2_q     <= bsz1_q;
                    apx2_q     <= apx1_q;
                    asz2_q     <= asz1_q;
                    dpx2_q     <= dpx1_q;
                    dqty2_q    <= dqty1_q;
                    reasons2_q <= reasons;
                    acct2_q    <= a1;
                    acct_id2_q <= acct_id_q[a1*32 +: 32];
                    pos2_q     <= pos_new[31:0];
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
    assign m_reasons   = reasons2_q;
    assign m_accepted  = acc2_q;
    assign m_acct_idx  = acct2_q;
    assign m_acct_id   = acct_id2_q;
    assign m_pos_after = pos2_q;
    assign idle        = !v1_q && !v2_q;
endmodule
`default_nettype wire
