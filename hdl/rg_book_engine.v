// Book engine: applies one message at a time to the order table and the book (spec
// sections 3.2, 4, 5, 6) and hands an event to the analytics stage.
//
// Owns the per-symbol window (window_set, base_q) and COLLISION state: ghosts[i] (live
// ghosts of symbol i) and lost[i] (an order of i dropped untracked); COLLISION(i) =
// ghosts[i] > 0 or lost[i] (spec section 5). Messages that need no order-table access pass
// through in one cycle. Order messages:
//   cycle 0  accept, read both home sets of the reference (and match stash and ghosts)
//   cycle 1  (S_TA) the table registers the lines and way matches; the window rule's
//            inputs are registered (the symbol's window, q x TICK, q - L/2)
//   cycle 2  (S_TB) the table registers the hit and placement; the window rule and the
//            class are registered
//   cycle 3  (S_T1) table write, book or counter update (a ghost is updated in the table
//            only: it is not in the book)
//   cycle 4  book: the new best level from its cache (the level is written back in cycle
//            5, beside this message's successor's lookup; +3/+5 cycles when the best level
//            empties: the search reads block RAM through registers); in its last cycle the
//            flags and top of book of the touched symbol -> event
// (messages that need no level update emit one cycle after cycle 3). Two halves: the
// front (accept, lookup, S_T1, the U steps) hands the message to the back (wait for the
// book, emit: bk_q) in its last cycle and accepts the next order message in that same
// cycle, so an order message takes 3 cycles back to back. The table forwards its write of
// that cycle to the read beside it; the next message's S_T1 waits until the back has
// emitted (the book is idle then, and the touched symbol and state update registers are
// free). A message without table access is accepted only when both halves are empty.
// A U message removes then re-inserts (two table accesses, up to two level updates): the
// new reference is read in the removal's S_T1 (beside its write, forwarded), and the
// insert's table write and level update go in S_UT2 (S_UBK only waits when the book is
// still searching after the removal): 8 cycles to the event, the front busy for 6.
`default_nettype none
`include "rg_contract.vh"
module rg_book_engine #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer WINDOW_TICKS = 4096,
    parameter integer SET_BITS     = `RG_SET_BITS_DEFAULT,
    parameter integer WAYS         = `RG_WAYS_DEFAULT,
    parameter integer STASH_SLOTS  = `RG_STASH_SLOTS_DEFAULT,
    parameter integer GHOST_SLOTS  = `RG_GHOST_SLOTS_DEFAULT,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer IDX_W        = $clog2(WINDOW_TICKS)
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [15:0]         cfg_tick,

    input  wire                s_valid,
    output reg                 s_ready,
    input  wire [3:0]          s_op,
    input  wire [47:0]         s_seq,
    input  wire [47:0]         s_ts,
    input  wire [63:0]         s_t_offer,
    input  wire [63:0]         s_t_last,
    input  wire [15:0]         s_locate,
    input  wire [63:0]         s_ref,
    input  wire [63:0]         s_ref2,
    input  wire                s_buy,
    input  wire [31:0]         s_shares,
    input  wire [31:0]         s_price,
    input  wire [7:0]          s_code,
    input  wire [31:0]         s_q,
    input  wire                s_sym_valid,
    input  wire [SYM_W-1:0]    s_sym,
    input  wire [7:0]          s_rkind,
    input  wire [7:0]          s_rsym,
    input  wire [7:0]          s_raux,
    input  wire [127:0]        s_rpay,

    output wire                  m_valid,
    input  wire                  m_ready,
    output wire [`RG_EV_W-1:0]   m_ev,
    output wire [`RG_BOOK_W-1:0] m_book,

    // statistics (spec section 12): event pulses and the table's occupancy
    output reg                 st_unknown_ref,
    output reg                 st_stash_insert,
    output reg                 st_ghost_insert,
    output reg                 st_untracked_drop,
    output reg                 st_collision_clear,
    output wire [31:0]         occ_live,
    output wire [31:0]         occ_stash,
    output wire [31:0]         occ_ghost,
    output wire                busy,          // order table clear sweep
    output wire                idle
);
    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_WINDOW_TICKS(WINDOW_TICKS)
        `RG_CHECK_SET_BITS(SET_BITS)
        `RG_CHECK_WAYS(WAYS)
        `RG_CHECK_STASH_SLOTS(STASH_SLOTS)
        `RG_CHECK_GHOST_SLOTS(GHOST_SLOTS)
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1) || IDX_W != $clog2(WINDOW_TICKS)
            || IDX_W > `RG_BOOK_BID_IDX_W) begin
            $error("rg_book_engine: SYM_W = %0d / IDX_W = %0d differ from their derivation (instance %m)", SYM_W, IDX_W);
            $finish;
        end
    end

    localparam integer ENTRY_W = 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W;
    localparam integer GC_W    = $clog2(GHOST_SLOTS + 1);           // ghosts[i]
    localparam [31:0]  HALF_L  = WINDOW_TICKS / 2;

    // front
    localparam [3:0] S_IDLE = 4'd0, S_T1 = 4'd1,                 S_UT2 = 4'd3, S_UBK = 4'd4,
                     S_TA   = 4'd5, S_TB = 4'd6, S_UA  = 4'd7, S_UB  = 4'd8;   // lookup in flight
    // back
    localparam [1:0] B_NONE = 2'd0, B_WAIT = 2'd1, B_FIN = 2'd2;   // B_WAIT: the book's last update

    // ---------------------------------------------------------------- registers
    reg [3:0]        st_q, st_d;
    reg [1:0]        bk_q, bk_d;
    // the message in the back half (emitted from these and t_*, ukind_q, usym_q, uval_q)
    reg [47:0]       f_seq_q, f_ts_q;
    reg [63:0]       f_toff_q, f_tlast_q;
    // message being processed
    reg [3:0]        x_op_q;
    reg [47:0]       x_seq_q, x_ts_q;
    reg [63:0]       x_toff_q, x_tlast_q;
    reg [63:0]       x_ref_q, x_ref2_q;
    reg              x_buy_q;
    reg [31:0]       x_shares_q, x_price_q, x_q_q;
    reg [7:0]        x_code_q;
    reg [SYM_W-1:0]  x_sym_q;
    // touched symbol / U re-insert side
    reg [SYM_W-1:0]  t_sym_q;
    reg              t_buy_q;
    reg              t_touch_q;
    reg [2:0]        ukind_q;
    reg [SYM_W-1:0]  usym_q;
    reg [31:0]       uval_q;
    reg              need_ins_q;      // U: the re-insert needs a level update
    // the side and source of S_T1's / S_UT2's book and counter request, registered so the
    // request (into the book's LUTRAM reads and block RAM addresses, and the counters'
    // read-modify-write) starts one 2:1 mux after flip-flops, not after S_T1's decisions:
    // use_e_q, the hit entry's (E/C/X/D and a U's removal), set with the accept and cleared
    // in a U's S_T1; else a_sym_q / a_buy_q, the add's own (accept) or a U's re-insert's
    // (its removal's, set in that S_T1)
    reg              use_e_q;
    reg [SYM_W-1:0]  a_sym_q;
    reg              a_buy_q;

    // per-symbol window and collision state (flattened)
    reg [MAX_SYMBOLS-1:0]      wset_q;
    reg [MAX_SYMBOLS*32-1:0]   base_q;
    reg [MAX_SYMBOLS*GC_W-1:0] ghosts_q;     // live ghosts of the symbol
    reg [MAX_SYMBOLS-1:0]      lost_q;       // an order of the symbol was dropped untracked

    // output register
    reg                  out_valid_q;
    reg [`RG_EV_W-1:0]   out_ev_q;
    reg [`RG_BOOK_W-1:0] out_book_q;

    wire out_free = !out_valid_q || m_ready;

    // ---------------------------------------------------------------- order table
    reg                 tbl_rd_en;
    reg  [63:0]         tbl_rd_ref;
    wire                tbl_hit, tbl_hit_ghost, tbl_ins_book, tbl_ins_stash, tbl_ins_ghost;
    wire [ENTRY_W-1:0]  tbl_hit_entry;
    wire                tbl_hit_lt;          // x_shares < e_shares, registered by the table
    wire [31:0]         tbl_hit_diff;        // e_shares - x_shares, registered by the table
    reg                 tbl_hit_we, tbl_ins_we, tbl_clr_we;
    reg  [ENTRY_W-1:0]  tbl_ins_entry;
    wire                tbl_busy;


    // hit entry fields
    wire [63:0]      e_ref    = tbl_hit_entry[ENTRY_W-1 -: 64];
    wire [SYM_W-1:0] e_sym    = tbl_hit_entry[ENTRY_W-65 -: SYM_W];
    wire             e_buy    = tbl_hit_entry[IDX_W + 66];
    wire [31:0]      e_price  = tbl_hit_entry[IDX_W + 34 +: 32];
    wire [31:0]      e_shares = tbl_hit_entry[IDX_W + 2 +: 32];
    wire [1:0]       e_cls    = tbl_hit_entry[IDX_W +: 2];
    wire [IDX_W-1:0] e_idx    = tbl_hit_entry[IDX_W-1:0];
    wire             unused_e_ref = ^e_ref;
    wire             e_book_in    = !tbl_hit_ghost && (e_cls == `RG_CLS_IN);   // the hit is on a level
    wire [GC_W-1:0]  e_ghosts     = ghosts_q[e_sym*GC_W +: GC_W];
    wire             e_last_ghost = (e_ghosts == {{(GC_W-1){1'b0}}, 1'b1}) && !lost_q[e_sym];

    // ---------------------------------------------------------------- book
    reg              bk_upd_valid;
    wire             bk_upd_ready, bk_upd_done;
    reg [SYM_W-1:0]  bk_sym;
    reg              bk_buy;
    reg [IDX_W-1:0]  bk_idx;
    reg [31:0]       bk_delta;
    reg              bk_sub;
    reg              bk_cnt_valid, bk_cnt_dec;
    reg [SYM_W-1:0]  bk_cnt_sym;
    reg              bk_cnt_buy;
    reg [1:0]        bk_cnt_cls;
    wire             nb_v;
    wire [IDX_W-1:0] nb_i;
    wire [31:0]      nb_s;
    wire             q_bid_v, q_ask_v;
    wire [IDX_W-1:0] q_bid_i, q_ask_i;
    wire [31:0]      q_bid_s, q_ask_s;
    wire             bid_below_nz, bid_above_nz, bid_off_nz, ask_below_nz, ask_above_nz, ask_off_nz;

    rg_book #(.MAX_SYMBOLS(MAX_SYMBOLS), .WINDOW_TICKS(WINDOW_TICKS)) u_book (
        .clk(clk), .rst(rst),
        .upd_valid(bk_upd_valid), .upd_ready(bk_upd_ready), .upd_sym(bk_sym), .upd_buy(bk_buy),
        .upd_idx(bk_idx), .upd_delta(bk_delta), .upd_sub(bk_sub), .upd_done(bk_upd_done),
        .nb_valid(nb_v), .nb_idx(nb_i), .nb_sz(nb_s),
        .cnt_valid(bk_cnt_valid), .cnt_sym(bk_cnt_sym), .cnt_buy(bk_cnt_buy),
        .cnt_cls(bk_cnt_cls), .cnt_dec(bk_cnt_dec),
        .q_sym(t_sym_q),
        .bid_valid(q_bid_v), .bid_idx(q_bid_i), .bid_sz(q_bid_s),
        .ask_valid(q_ask_v), .ask_idx(q_ask_i), .ask_sz(q_ask_s),
        .bid_below_nz(bid_below_nz), .bid_above_nz(bid_above_nz), .bid_off_nz(bid_off_nz),
        .ask_below_nz(ask_below_nz), .ask_above_nz(ask_above_nz), .ask_off_nz(ask_off_nz)
    );

    // ---------------------------------------------------------------- window rule + class
    // for the symbol of the add being inserted: x_sym (A/F) or t_sym (U re-insert), in the
    // two cycles the table lookup is in flight (S_TA/S_UA, then S_TB/S_UB), registered for
    // S_T1/S_UT2. Spec section 4: on tick when q * TICK == price.
    reg  [SYM_W-1:0] w_sym_q;            // the symbol whose window the insert uses
    reg              w_ws_old_q;
    reg  [31:0]      w_base_old_q, w_q_half_q;
    reg  [47:0]      w_prod_q;           // q * TICK
    reg              w_set_q;            // the insert sets the symbol's window
    reg  [31:0]      w_base_q;           // the window base after the insert
    reg  [1:0]       w_cls_q;
    reg  [IDX_W-1:0] w_idx_q;

    wire [SYM_W-1:0] w_sym_d  = a_sym_q;      // S_TA: the add's; S_UA: the removed order's
    wire             w_on_tick = (w_prod_q == {16'd0, x_price_q});
    wire             w_set_d   = !w_ws_old_q && w_on_tick;
    wire             w_ws_new  = w_ws_old_q || w_on_tick;
    wire [31:0]      w_base_d  = w_set_d ? w_q_half_q : w_base_old_q;
    // q - base for both bases side by side (each from registers), the one taken selected
    // after the on-tick compare, so the compare and the subtraction are not chained
    wire [32:0]      qd_new    = {1'b0, x_q_q} - {1'b0, w_q_half_q};     // the insert sets the window
    wire [32:0]      qd_old    = {1'b0, x_q_q} - {1'b0, w_base_old_q};
    wire             qb_new    = qd_new[32], qb_old = qd_old[32];         // q < base
    wire             qa_new    = (qd_new[31:IDX_W] != 0), qa_old = (qd_old[31:IDX_W] != 0);   // q - base >= L
    wire [IDX_W-1:0] q_idx     = w_set_d ? qd_new[IDX_W-1:0] : qd_old[IDX_W-1:0];
    wire             q_below   = w_set_d ? qb_new : qb_old;
    wire             q_above   = w_set_d ? qa_new : qa_old;
    reg  [1:0]       w_cls_d;
    always @(*) begin
        if (!w_on_tick || !w_ws_new)    w_cls_d = `RG_CLS_OFFTICK;
        else if (q_below)               w_cls_d = `RG_CLS_BELOW;   // q < base
        else if (q_above)               w_cls_d = `RG_CLS_ABOVE;   // q - base >= L (L = 2^IDX_W)
        else                            w_cls_d = `RG_CLS_IN;
    end

    always @(posedge clk) begin
        if (st_q == S_TA || st_q == S_UA) begin
            w_sym_q      <= w_sym_d;
            w_ws_old_q   <= wset_q[w_sym_d];
            w_base_old_q <= base_q[w_sym_d*32 +: 32];
            w_prod_q     <= {16'd0, x_q_q} * {32'd0, cfg_tick};
            w_q_half_q   <= (x_q_q >= HALF_L) ? x_q_q - HALF_L : 32'd0;
        end
        if (st_q == S_TB || st_q == S_UB) begin
            w_set_q  <= w_set_d;
            w_base_q <= w_base_d;
            w_cls_q  <= w_cls_d;
            w_idx_q  <= q_idx;
        end
    end

    wire [SYM_W-1:0] ins_sym    = w_sym_q;
    wire             set_window = w_set_q;
    wire [31:0]      base_new   = w_base_q;
    wire [1:0]       ins_cls    = w_cls_q;
    wire [IDX_W-1:0] ins_idx    = w_idx_q;

    // reduce / remove arithmetic of a hit: x < e decides both the reduction min(x, e) and
    // whether the order is left with e - x > 0 shares. The table compares and subtracts
    // in its selection cycle (x is given with the read: s_shares, latched as x_shares_q in
    // the same accept) and registers both with the hit, so S_T1's table write and book
    // request start from registers, not from a 32-bit carry chain.
    wire        is_del     = (x_op_q == `RG_OP_DELETE) || (x_op_q == `RG_OP_REPLACE);
    wire        x_lt_e     = tbl_hit_lt;
    wire [31:0] e_minus_x  = tbl_hit_diff;
    wire        do_remove  = is_del || !x_lt_e;
    wire [31:0] red        = do_remove ? e_shares : x_shares_q;   // the book's delta (use_e_q)
    wire [31:0] remaining  = do_remove ? 32'd0 : e_minus_x;

    wire is_tbl_op = ((s_op == `RG_OP_ADD) && s_sym_valid) || (s_op == `RG_OP_EXEC) || (s_op == `RG_OP_EXECP) ||
                     (s_op == `RG_OP_CANCEL) || (s_op == `RG_OP_DELETE) || (s_op == `RG_OP_REPLACE);

    // ---------------------------------------------------------------- control
    reg accept, accept_pass;
    reg emit;                      // load the output register with the current message's event
    reg emit_nb;                   // ... taking the updated side from the book's nb_* outputs
    reg ghost_inc, ghost_dec, set_lost, clr_coll;
    reg [SYM_W-1:0] clr_coll_sym;
    reg set_touch;
    reg [SYM_W-1:0] touch_sym;
    reg touch_buy;
    reg set_upd;
    reg [2:0] upd_kind;
    reg [SYM_W-1:0] upd_sym;
    reg [31:0] upd_val;
    reg win_we;
    reg save_ins;
    reg handover;                  // the front's message goes to the back
    reg t1_go;                     // S_T1 runs (the back is empty)

    rg_order_table #(.SET_BITS(SET_BITS), .WAYS(WAYS), .STASH_SLOTS(STASH_SLOTS), .GHOST_SLOTS(GHOST_SLOTS),
                     .SYM_W(SYM_W), .IDX_W(IDX_W)) u_table (
        .clk(clk), .rst(rst),
        .rd_en(tbl_rd_en), .rd_ref(tbl_rd_ref), .rd_shares(s_shares),
        .hit(tbl_hit), .hit_ghost(tbl_hit_ghost), .hit_entry(tbl_hit_entry),
        .hit_lt(tbl_hit_lt), .hit_diff(tbl_hit_diff),
        .ins_book(tbl_ins_book), .ins_stash(tbl_ins_stash), .ins_ghost(tbl_ins_ghost),
        .hit_we(tbl_hit_we), .hit_free(do_remove), .hit_shares(remaining),
        .ins_we(tbl_ins_we), .ins_entry(tbl_ins_entry),
        .clr_we(tbl_clr_we), .clr_sym(clr_coll_sym),
        .occ_live(occ_live), .occ_stash(occ_stash), .occ_ghost(occ_ghost),
        .busy(tbl_busy)
    );

    always @(*) begin
        st_d          = st_q;
        bk_d          = bk_q;
        handover      = 1'b0;
        s_ready       = 1'b0;
        accept        = 1'b0;
        accept_pass   = 1'b0;
        emit          = 1'b0;
        emit_nb       = 1'b0;
        tbl_rd_en     = 1'b0;
        tbl_rd_ref    = s_ref;
        tbl_hit_we    = 1'b0;
        tbl_ins_we    = 1'b0;
        tbl_clr_we    = 1'b0;
        tbl_ins_entry = {x_ref_q, a_sym_q, a_buy_q, x_price_q, x_shares_q, ins_cls, ins_idx};
        bk_upd_valid  = 1'b0;
        // the request's operands, whatever the state (only the valids are decided below):
        // the hit's removal or reduction (E/C/X/D, a U's removal), else an insert
        bk_sym        = use_e_q ? e_sym : a_sym_q;
        bk_buy        = use_e_q ? e_buy : a_buy_q;
        bk_idx        = use_e_q ? e_idx : ins_idx;
        bk_delta      = use_e_q ? red : x_shares_q;
        bk_sub        = use_e_q;
        bk_cnt_valid  = 1'b0;
        bk_cnt_sym    = bk_sym;
        bk_cnt_buy    = bk_buy;
        bk_cnt_cls    = use_e_q ? e_cls : ins_cls;
        bk_cnt_dec    = use_e_q;
        ghost_inc     = 1'b0;
        ghost_dec     = 1'b0;
        set_lost      = 1'b0;
        clr_coll      = 1'b0;
        clr_coll_sym  = s_locate[SYM_W-1:0];
        set_touch     = 1'b0;
        touch_sym     = x_sym_q;
        touch_buy     = x_buy_q;
        set_upd       = 1'b0;
        upd_kind      = `RG_UPD_NONE;
        upd_sym       = x_sym_q;
        upd_val       = 32'd0;
        win_we        = 1'b0;
        save_ins      = 1'b0;
        t1_go         = 1'b0;
        st_unknown_ref     = 1'b0;
        st_stash_insert    = 1'b0;
        st_ghost_insert    = 1'b0;
        st_untracked_drop  = 1'b0;
        st_collision_clear = 1'b0;

        case (st_q)
            S_IDLE: begin
                // a message without table access passes only through an empty engine
                s_ready = !tbl_busy && (is_tbl_op || (bk_q == B_NONE && out_free));
                if (s_valid && s_ready) begin
                    accept = 1'b1;
                    if (is_tbl_op) begin
                        tbl_rd_en = 1'b1;
                        st_d      = S_TA;
                    end else begin
                        accept_pass = 1'b1;
                        // CLEAR_COLLISION: free the symbol's ghosts, forget its untracked drops
                        if (s_op == `RG_OP_CTRL && s_code == `RG_CTRL_CLEAR_COLLISION) begin
                            clr_coll   = 1'b1;
                            tbl_clr_we = 1'b1;
                        end
                    end
                end
            end

            // else wait: the back still holds the previous message (the book is ready then:
            // its write-back cycle after upd_done falls in this message's S_TB or earlier)
            S_T1: if (bk_q == B_NONE && bk_upd_ready) begin
                t1_go = 1'b1;
                set_touch = 1'b1;
                if (x_op_q == `RG_OP_ADD) begin
                    touch_sym = x_sym_q;
                    win_we    = 1'b1;     // the window rule runs for every add, inserted or not
                    if (tbl_ins_book) begin
                        tbl_ins_we      = 1'b1;
                        st_stash_insert = tbl_ins_stash;
                        if (ins_cls == `RG_CLS_IN) begin
                            bk_upd_valid = 1'b1;         // the book is ready here
                            bk_d = B_WAIT;
                        end else begin
                            bk_cnt_valid = 1'b1;
                            bk_d = B_FIN;
                        end
                    end else begin
                        // dropped from the book: a ghost, or untracked
                        tbl_ins_we        = tbl_ins_ghost;
                        ghost_inc         = tbl_ins_ghost;
                        st_ghost_insert   = tbl_ins_ghost;
                        set_lost          = !tbl_ins_ghost;
                        st_untracked_drop = !tbl_ins_ghost;
                        bk_d = B_FIN;
                    end
                end else if (!tbl_hit) begin
                    set_touch      = 1'b0;
                    st_unknown_ref = 1'b1;
                    bk_d = B_FIN;
                end else begin
                    touch_sym = e_sym;
                    touch_buy = e_buy;
                    // last trade (E: order price; C: printable price)
                    if (x_op_q == `RG_OP_EXEC) begin
                        set_upd = 1'b1; upd_kind = `RG_UPD_LAST; upd_sym = e_sym; upd_val = e_price;
                    end else if (x_op_q == `RG_OP_EXECP && x_code_q == `RG_ASCII_Y) begin
                        set_upd = 1'b1; upd_kind = `RG_UPD_LAST; upd_sym = e_sym; upd_val = x_price_q;
                    end
                    // table: remove (do_remove) or shrink to `remaining`
                    tbl_hit_we = 1'b1;
                    // a ghost leaves: with the last ghost of a symbol that lost nothing,
                    // COLLISION clears by itself
                    ghost_dec          = tbl_hit_ghost && do_remove;
                    st_collision_clear = tbl_hit_ghost && do_remove && e_last_ghost;
                    // book (a ghost is not in the book): e_sym, e_buy, e_idx, red (use_e_q)
                    if (e_book_in)           bk_upd_valid = 1'b1;
                    else if (!tbl_hit_ghost) bk_cnt_valid = do_remove;
                    // U: the new reference is read now, beside this removal's write (the
                    // table forwards the write to the read, so the insert place sees it)
                    if (x_op_q == `RG_OP_REPLACE) begin
                        tbl_rd_en  = 1'b1;
                        tbl_rd_ref = x_ref2_q;
                        st_d       = S_UA;
                    end
                    else if (e_book_in)           bk_d = B_WAIT;
                    else                          bk_d = B_FIN;
                end
            end

            // the table lookup is in flight (the window rule runs beside it)
            S_TA: st_d = S_TB;
            S_TB: st_d = S_T1;
            S_UA: st_d = S_UB;
            S_UB: st_d = S_UT2;

            S_UT2: begin
                tbl_ins_entry = {x_ref2_q, a_sym_q, a_buy_q, x_price_q, x_shares_q, ins_cls, ins_idx};
                win_we        = 1'b1;
                if (tbl_ins_book) begin
                    tbl_ins_we      = 1'b1;
                    st_stash_insert = tbl_ins_stash;
                    save_ins        = 1'b1;            // need_ins := class is IN
                    bk_cnt_valid    = (ins_cls != `RG_CLS_IN);
                end else begin
                    tbl_ins_we        = tbl_ins_ghost;
                    ghost_inc         = tbl_ins_ghost;
                    st_ghost_insert   = tbl_ins_ghost;
                    set_lost          = !tbl_ins_ghost;
                    st_untracked_drop = !tbl_ins_ghost;
                end
                // the insert's level update goes now when the book is ready (the removal's
                // came three cycles ago), else S_UBK waits for it (a_sym_q, a_buy_q, ins_idx,
                // x_shares_q: use_e_q is low from the removal's S_T1 on)
                if (!bk_upd_ready) begin
                    st_d = S_UBK;
                end else if (tbl_ins_book && ins_cls == `RG_CLS_IN) begin
                    bk_upd_valid = 1'b1;
                    bk_d = B_WAIT;
                end else begin
                    bk_d = B_FIN;
                end
            end

            S_UBK: begin
                // wait for the removal's level update, then issue the insert's (ins_idx, the
                // window rule's register, holds: no lookup is in flight)
                if (bk_upd_ready) begin
                    if (need_ins_q) begin
                        bk_upd_valid = 1'b1;
                        bk_d = B_WAIT;
                    end else begin
                        bk_d = B_FIN;
                    end
                end
            end

            default: st_d = S_IDLE;
        endcase

        // the front hands its message to the back and takes the next order message now
        if (bk_d != B_NONE && bk_q == B_NONE) begin
            handover = 1'b1;
            st_d     = S_IDLE;
            s_ready  = !tbl_busy && is_tbl_op;
            if (s_valid && s_ready) begin
                accept    = 1'b1;
                tbl_rd_en = 1'b1;
                st_d      = S_TA;
            end
        end

        // back: the book's last update completes, emit (with the updated side's new best
        // level from the book, its cache shows it only from the next cycle)
        case (bk_q)
            B_WAIT: if (bk_upd_done) begin
                if (out_free) begin
                    emit    = 1'b1;
                    emit_nb = 1'b1;
                    bk_d    = B_NONE;
                end else begin
                    bk_d = B_FIN;
                end
            end
            B_FIN: if (out_free) begin
                emit = 1'b1;
                bk_d = B_NONE;
            end
            default: ;
        endcase
    end

    // ---------------------------------------------------------------- event assembly
    // pass-through event of an accepted message (no table access)
    reg [2:0]       p_ukind;
    always @(*) begin
        p_ukind = `RG_UPD_NONE;
        case (s_op)
            `RG_OP_SYS:   p_ukind = `RG_UPD_MKT;
            `RG_OP_HALT:  if (s_sym_valid) p_ukind = `RG_UPD_HALT;
            `RG_OP_MWCB:  if (s_code == "1" || s_code == "2" || s_code == "3") p_ukind = `RG_UPD_MWCB;
            `RG_OP_TRADE: if (s_sym_valid) p_ukind = `RG_UPD_LAST;
            `RG_OP_CTRL:  p_ukind = `RG_UPD_CTRL;
            `RG_OP_SSR:   if (s_sym_valid) p_ukind = `RG_UPD_SSR;
            default:  p_ukind = `RG_UPD_NONE;
        endcase
    end

    function [`RG_EV_W-1:0] make_ev(
        input [47:0] seq, input [47:0] ts, input [63:0] toff, input [63:0] tlast,
        input [7:0] rkind, input [7:0] rsym, input [7:0] raux, input [127:0] rpay,
        input [2:0] ukind, input [7:0] usym, input [7:0] ucode, input [63:0] uval, input [15:0] utgt);
        reg [`RG_EV_W-1:0] e;
        begin
            e = {`RG_EV_W{1'b0}};
            e[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W] = seq;
            e[`RG_EV_TS_LO +: `RG_EV_TS_W] = ts;
            e[`RG_EV_TOFF_LO +: `RG_EV_TOFF_W] = toff;
            e[`RG_EV_TLAST_LO +: `RG_EV_TLAST_W] = tlast;
            e[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W] = rkind;
            e[`RG_EV_RSYM_LO +: `RG_EV_RSYM_W] = rsym;
            e[`RG_EV_RAUX_LO +: `RG_EV_RAUX_W] = raux;
            e[`RG_EV_RPAY_LO +: `RG_EV_RPAY_W] = rpay;
            e[`RG_EV_UKIND_LO +: `RG_EV_UKIND_W] = ukind;
            e[`RG_EV_USYM_LO +: `RG_EV_USYM_W] = usym;
            e[`RG_EV_UCODE_LO +: `RG_EV_UCODE_W] = ucode;
            e[`RG_EV_UVAL_LO +: `RG_EV_UVAL_W] = uval;
            e[`RG_EV_UTGT_LO +: `RG_EV_UTGT_W] = utgt;
            make_ev = e;
        end
    endfunction

    wire [7:0] s_sym8 = {{(8-SYM_W){1'b0}}, s_sym};
    wire [7:0] u_sym8 = {{(8-SYM_W){1'b0}}, usym_q};
    wire [`RG_EV_W-1:0] pass_ev = make_ev(s_seq, s_ts, s_t_offer, s_t_last, s_rkind, s_rsym, s_raux, s_rpay,
                                          p_ukind, s_sym8, s_code,
                                          (s_op == `RG_OP_CTRL) ? s_ref : {32'd0, s_price}, s_locate);
    wire [`RG_EV_W-1:0] fin_ev  = make_ev(f_seq_q, f_ts_q, f_toff_q, f_tlast_q, `RG_REC_NONE, `RG_NO_SYMBOL, 8'd0, 128'd0,
                                          ukind_q, u_sym8, 8'd0, {32'd0, uval_q}, 16'd0);

    // top of book of the touched symbol: cache, or the book's new best for the side it
    // updated in this very cycle
    wire             nb_bid    = emit_nb && t_buy_q;
    wire             nb_ask    = emit_nb && !t_buy_q;
    wire             fin_bid_v = nb_bid ? nb_v : q_bid_v;
    wire [IDX_W-1:0] fin_bid_i = nb_bid ? nb_i : q_bid_i;
    wire [31:0]      fin_bid_s = nb_bid ? nb_s : q_bid_s;
    wire             fin_ask_v = nb_ask ? nb_v : q_ask_v;
    wire [IDX_W-1:0] fin_ask_i = nb_ask ? nb_i : q_ask_i;
    wire [31:0]      fin_ask_s = nb_ask ? nb_s : q_ask_s;
    reg [7:0] fin_flags;
    always @(*) begin
        fin_flags = 8'd0;
        fin_flags[`RG_FLAG_BAND_BID]  = bid_off_nz | bid_above_nz | (!fin_bid_v && bid_below_nz);
        fin_flags[`RG_FLAG_BAND_ASK]  = ask_off_nz | ask_below_nz | (!fin_ask_v && ask_above_nz);
        fin_flags[`RG_FLAG_COLLISION] = lost_q[t_sym_q] || (ghosts_q[t_sym_q*GC_W +: GC_W] != {GC_W{1'b0}});
    end

    // BOOK bus of an emitted event (a pass-through event updates only TOUCH and SYM)
    reg [`RG_BOOK_W-1:0] fin_book;
    always @(*) begin
        fin_book = {`RG_BOOK_W{1'b0}};
        fin_book[`RG_BOOK_TOUCH_LO]                      = t_touch_q;
        fin_book[`RG_BOOK_SYM_LO +: SYM_W]               = t_sym_q;
        fin_book[`RG_BOOK_FLAGS_LO +: `RG_BOOK_FLAGS_W]  = fin_flags;
        fin_book[`RG_BOOK_BID_VALID_LO]                  = fin_bid_v;
        fin_book[`RG_BOOK_BID_IDX_LO +: IDX_W]           = fin_bid_i;
        fin_book[`RG_BOOK_BID_SZ_LO +: `RG_BOOK_BID_SZ_W] = fin_bid_s;
        fin_book[`RG_BOOK_ASK_VALID_LO]                  = fin_ask_v;
        fin_book[`RG_BOOK_ASK_IDX_LO +: IDX_W]           = fin_ask_i;
        fin_book[`RG_BOOK_ASK_SZ_LO +: `RG_BOOK_ASK_SZ_W] = fin_ask_s;
        fin_book[`RG_BOOK_BASE_Q_LO +: `RG_BOOK_BASE_Q_W] = base_q[t_sym_q*32 +: 32];
    end

    // ---------------------------------------------------------------- registers
    integer j;
    always @(posedge clk) begin
        if (rst) begin
            st_q        <= S_IDLE;
            bk_q        <= B_NONE;
            f_seq_q     <= 48'd0;
            f_ts_q      <= 48'd0;
            f_toff_q    <= 64'd0;
            f_tlast_q   <= 64'd0;
            x_op_q      <= `RG_OP_NONE;
            x_seq_q     <= 48'd0;
            x_ts_q      <= 48'd0;
            x_toff_q    <= 64'd0;
            x_tlast_q   <= 64'd0;
            x_ref_q     <= 64'd0;
            x_ref2_q    <= 64'd0;
            x_buy_q     <= 1'b0;
            x_shares_q  <= 32'd0;
            x_price_q   <= 32'd0;
            x_q_q       <= 32'd0;
            x_code_q    <= 8'd0;
            x_sym_q     <= {SYM_W{1'b0}};
            t_sym_q     <= {SYM_W{1'b0}};
            t_buy_q     <= 1'b0;
            t_touch_q   <= 1'b0;
            ukind_q     <= `RG_UPD_NONE;
            usym_q      <= {SYM_W{1'b0}};
            uval_q      <= 32'd0;
            need_ins_q  <= 1'b0;
            use_e_q     <= 1'b0;
            a_sym_q     <= {SYM_W{1'b0}};
            a_buy_q     <= 1'b0;
            wset_q      <= {MAX_SYMBOLS{1'b0}};
            base_q      <= {(MAX_SYMBOLS*32){1'b0}};
            ghosts_q    <= {(MAX_SYMBOLS*GC_W){1'b0}};
            lost_q      <= {MAX_SYMBOLS{1'b0}};
            out_valid_q <= 1'b0;
            out_ev_q    <= {`RG_EV_W{1'b0}};
            out_book_q  <= {`RG_BOOK_W{1'b0}};
        end else begin
            st_q <= st_d;
            bk_q <= bk_d;
            if (handover) begin
                f_seq_q   <= x_seq_q;
                f_ts_q    <= x_ts_q;
                f_toff_q  <= x_toff_q;
                f_tlast_q <= x_tlast_q;
            end

            if (accept) begin
                x_op_q      <= s_op;
                x_seq_q     <= s_seq;
                x_ts_q      <= s_ts;
                x_toff_q    <= s_t_offer;
                x_tlast_q   <= s_t_last;
                x_ref_q     <= s_ref;
                x_ref2_q    <= s_ref2;
                x_buy_q     <= s_buy;
                x_shares_q  <= s_shares;
                x_price_q   <= s_price;
                x_q_q       <= s_q;
                x_code_q    <= s_code;
                x_sym_q     <= s_sym;
                use_e_q     <= (s_op != `RG_OP_ADD);
                a_sym_q     <= s_sym;
                a_buy_q     <= s_buy;
            end else if (st_q == S_T1 && st_d == S_UA) begin
                // a U's removal: its re-insert goes to the removed order's side
                use_e_q     <= 1'b0;
                a_sym_q     <= e_sym;
                a_buy_q     <= e_buy;
            end
            if (t1_go) begin
                t_touch_q <= 1'b0;
                ukind_q   <= `RG_UPD_NONE;
            end
            if (set_touch) begin
                t_touch_q <= 1'b1;
                t_sym_q   <= touch_sym;
                t_buy_q   <= touch_buy;
            end
            if (set_upd) begin
                ukind_q <= upd_kind;
                usym_q  <= upd_sym;
                uval_q  <= upd_val;
            end
            if (save_ins) begin
                need_ins_q <= (ins_cls == `RG_CLS_IN);
            end else if (st_q == S_UT2) begin
                need_ins_q <= 1'b0;
            end
            if (win_we && set_window) begin
                wset_q[ins_sym]           <= 1'b1;
                base_q[ins_sym*32 +: 32]  <= base_new;
            end
            // COLLISION state per symbol, through decoded enables (constant slices); at most
            // one of ghost_inc, ghost_dec, set_lost and clr_coll per cycle
            for (j = 0; j < MAX_SYMBOLS; j = j + 1) begin
                if (clr_coll && clr_coll_sym == j[SYM_W-1:0]) begin
                    ghosts_q[j*GC_W +: GC_W] <= {GC_W{1'b0}};
                    lost_q[j]                <= 1'b0;
                end
                if (ghost_inc && ins_sym == j[SYM_W-1:0]) ghosts_q[j*GC_W +: GC_W] <= ghosts_q[j*GC_W +: GC_W] + 1'b1;
                if (ghost_dec && e_sym == j[SYM_W-1:0])   ghosts_q[j*GC_W +: GC_W] <= ghosts_q[j*GC_W +: GC_W] - 1'b1;
                if (set_lost && ins_sym == j[SYM_W-1:0])  lost_q[j] <= 1'b1;
            end

            if (m_ready) out_valid_q <= 1'b0;
            if (accept_pass) begin
                out_valid_q <= 1'b1;
                out_ev_q    <= pass_ev;
                out_book_q[`RG_BOOK_TOUCH_LO]        <= 1'b0;
                out_book_q[`RG_BOOK_SYM_LO +: SYM_W] <= s_sym;
            end else if (emit) begin
                out_valid_q <= 1'b1;
                out_ev_q    <= fin_ev;
                out_book_q  <= fin_book;
            end
        end
    end

    assign m_valid     = out_valid_q;
    assign m_ev        = out_ev_q;
    assign m_book      = out_book_q;
    assign busy        = tbl_busy;
    assign idle        = (st_q == S_IDLE) && (bk_q == B_NONE) && !out_valid_q;
endmodule
`default_nettype wire
