// Price-window book (spec section 6): per symbol and side, WINDOW_TICKS aggregated share
// counts (u32, wrapping), a two-level occupancy bitmap, a cached best level, and the
// out-of-band counters n_below / n_above / n_offtick.
//
// Storage:
//   level RAM   {sym, side, idx}       -> u32 shares          (valid only where the occupancy bit is set)
//   occ RAM     {sym, side, idx >> 6}  -> 64 occupancy bits   (valid only where the summary bit is set)
//   summary     {sym, side}            -> WINDOW_TICKS/64 bits, flip-flops, cleared by reset
//   best cache  {sym, side}            -> valid, idx, size    (flip-flops)
// so reset clears only flip-flops and the RAMs need no sweep.
//
// A level update (upd_*) takes the request cycle (S_IDLE: the level and its occupancy word
// are read, the side's summary and best-level cache are registered), then S_RMW, which
// decides the new best level from the cache alone and pulses upd_done, and S_WB, which
// writes the level, the occupancy word and the summary back from the registered block RAM
// outputs (no RAM output reaches logic before a register: a DP16KD's clock-to-out is
// ~4.3 ns of the 6.4 ns cycle at 156.25 MHz). The cache suffices because a level better
// than the best one is empty (it would be the best otherwise), and the best one's size is
// the cached one: so the new best is known without the level RAM. upd_ready is low in
// S_WB; the book engine's next request comes two cycles after upd_done at the earliest.
// When the best level empties, S_WB starts the search for the next best with the bitmap:
// the level of the next occupied bit in the same 64-level word is read (S_SZ: its size
// registered, S_SZ2: upd_done), or else the summary gives the next occupied word, read in
// S_WORD (registered), searched in S_WORD2, then S_SZ, S_SZ2; when neither is found the side
// is empty (S_NONE, decided into the state register). upd_done pulses in the last
// cycle, with the new best level of the updated side on nb_*; the cache shows it on the
// query outputs from the next cycle.
// Counter updates (cnt_*) take effect at the next edge.
`default_nettype none
`include "rg_contract.vh"
module rg_book #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer WINDOW_TICKS = 4096,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer IDX_W        = $clog2(WINDOW_TICKS)
) (
    input  wire             clk,
    input  wire             rst,

    input  wire             upd_valid,
    output wire             upd_ready,
    input  wire [SYM_W-1:0] upd_sym,
    input  wire             upd_buy,
    input  wire [IDX_W-1:0] upd_idx,
    input  wire [31:0]      upd_delta,
    input  wire             upd_sub,
    output reg              upd_done,
    // in the upd_done cycle: the best level of the updated side after this update
    output wire             nb_valid,
    output wire [IDX_W-1:0] nb_idx,
    output wire [31:0]      nb_sz,

    input  wire             cnt_valid,
    input  wire [SYM_W-1:0] cnt_sym,
    input  wire             cnt_buy,
    input  wire [1:0]       cnt_cls,     // RG_CLS_BELOW, _ABOVE or _OFFTICK
    input  wire             cnt_dec,

    input  wire [SYM_W-1:0] q_sym,
    output wire             bid_valid,
    output wire [IDX_W-1:0] bid_idx,
    output wire [31:0]      bid_sz,
    output wire             ask_valid,
    output wire [IDX_W-1:0] ask_idx,
    output wire [31:0]      ask_sz,
    output wire             bid_below_nz,
    output wire             bid_above_nz,
    output wire             bid_off_nz,
    output wire             ask_below_nz,
    output wire             ask_above_nz,
    output wire             ask_off_nz
);
    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_WINDOW_TICKS(WINDOW_TICKS)     // also: whole 64-bit occupancy words
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1) || IDX_W != $clog2(WINDOW_TICKS)) begin
            $error("rg_book: SYM_W = %0d / IDX_W = %0d differ from their derivation (instance %m)", SYM_W, IDX_W);
            $finish;
        end
    end

    localparam integer WPS    = WINDOW_TICKS / 64;                 // occupancy words per side
    localparam integer WORD_W = (WPS > 1) ? $clog2(WPS) : 1;
    localparam integer NSIDES = 2 * MAX_SYMBOLS;
    localparam integer SIDE_W = SYM_W + 1;
    localparam integer LVL_AW = SIDE_W + IDX_W;
    localparam integer OCC_AW = SIDE_W + WORD_W;

    localparam [2:0] S_IDLE = 3'd0, S_RMW = 3'd1, S_WB = 3'd2, S_WORD = 3'd3, S_WORD2 = 3'd4,
                     S_SZ = 3'd5, S_SZ2 = 3'd6, S_NONE = 3'd7;

    // ---------------------------------------------------------------- state
    reg [2:0]        st_q, st_d;
    reg [SIDE_W-1:0] a_side_q;       // {sym, buy} of the update in flight
    reg [IDX_W-1:0]  a_idx_q;
    reg [31:0]       a_delta_q;
    reg              a_sub_q;
    reg              srch_q;         // S_WB: the best level emptied, search for the next
    reg [WORD_W-1:0] w2_q;           // word being searched (S_WORD)
    reg [IDX_W-1:0]  cand_q;         // next-best candidate (S_SZ)

    // per {sym, side} state: arrays without reset (LUTRAM), qualified by valid bits that
    // reset clears
    reg [WPS-1:0]    sum_mem  [0:NSIDES-1];   // occupancy summary      (valid: sum_v_q)
    reg [IDX_W-1:0]  bi_mem   [0:NSIDES-1];   // best level index       (valid: best_v_q)
    reg [31:0]       bs_mem   [0:NSIDES-1];   // best level size        (valid: best_v_q)
    reg [95:0]       cnt_mem  [0:NSIDES-1];   // {n_off, n_above, n_below} (valid: cnt_v_q)
    reg [NSIDES-1:0] sum_v_q;
    reg [NSIDES-1:0] best_v_q;
    reg [NSIDES-1:0] cnt_v_q;

    wire a_buy = a_side_q[0];

    // ---------------------------------------------------------------- RAMs
    reg              lvl_rd_en, occ_rd_en;
    reg [LVL_AW-1:0] lvl_rd_addr;
    reg [OCC_AW-1:0] occ_rd_addr;
    wire [31:0]      lvl_rd;
    wire [63:0]      occ_rd;
    reg              wr_en;
    reg [31:0]       new_lvl;
    reg [63:0]       new_occ;
    // the RAM outputs, registered as they arrive (S_RMW: the updated level and its word;
    // S_WORD: the searched word; S_SZ: the candidate's size)
    reg [31:0]       lvl_q;
    reg [63:0]       occ_q;

    wire [WORD_W-1:0] a_word;
    wire [WORD_W-1:0] u_word;
    generate
        if (WPS > 1) begin : g_words
            assign a_word = a_idx_q[IDX_W-1:6];
            assign u_word = upd_idx[IDX_W-1:6];
        end else begin : g_one_word
            assign a_word = 1'b0;
            assign u_word = 1'b0;
        end
    endgenerate

    rg_ram_sdp #(.ADDR_W(LVL_AW), .WIDTH(32), .LANES(1)) u_levels (
        .clk(clk), .wr_en(wr_en), .wr_be(1'b1), .wr_addr({a_side_q, a_idx_q}), .wr_data(new_lvl),
        .rd_en(lvl_rd_en), .rd_addr(lvl_rd_addr), .rd_data(lvl_rd)
    );
    rg_ram_sdp #(.ADDR_W(OCC_AW), .WIDTH(64), .LANES(1)) u_occ (
        .clk(clk), .wr_en(wr_en), .wr_be(1'b1), .wr_addr({a_side_q, a_word}), .wr_data(new_occ),
        .rd_en(occ_rd_en), .rd_addr(occ_rd_addr), .rd_data(occ_rd)
    );

    // ---------------------------------------------------------------- next-state logic
    reg [WPS-1:0]  sum_old, new_sum;
    reg [63:0]     occ_old, word_mask, enc_word_in;
    reg [31:0]     lvl_old;
    reg            nz;
    reg            best_we, best_v_d;
    reg [IDX_W-1:0] best_i_d;
    reg [31:0]     best_s_d;
    reg [WPS-1:0]  enc_sum_in;

    wire              unused_wenc_lo_found, unused_senc_lo_found;
    wire [5:0]        wenc_hi, wenc_lo;
    wire              wenc_found;
    wire [WORD_W-1:0] senc_hi, senc_lo;
    wire              senc_found;
    rg_prio_enc #(.WIDTH(64), .MSB_FIRST(1), .IDX_W(6)) u_wenc_hi (.in(enc_word_in), .idx(wenc_hi), .found(wenc_found));
    rg_prio_enc #(.WIDTH(64), .MSB_FIRST(0), .IDX_W(6)) u_wenc_lo (.in(enc_word_in), .idx(wenc_lo), .found(unused_wenc_lo_found));
    rg_prio_enc #(.WIDTH(WPS), .MSB_FIRST(1), .IDX_W(WORD_W)) u_senc_hi (.in(enc_sum_in), .idx(senc_hi), .found(senc_found));
    rg_prio_enc #(.WIDTH(WPS), .MSB_FIRST(0), .IDX_W(WORD_W)) u_senc_lo (.in(enc_sum_in), .idx(senc_lo), .found(unused_senc_lo_found));

    wire [5:0]        wenc = a_buy ? wenc_hi : wenc_lo;

    // next-best candidate index: {word, bit}
    wire [IDX_W-1:0] cand_same, cand_word;
    generate
        if (WPS > 1) begin : g_join
            assign cand_same = {a_word, wenc};
            assign cand_word = {w2_q, wenc};
        end else begin : g_join1
            assign cand_same = wenc;
            assign cand_word = wenc;
            wire unused_w2 = ^w2_q;
        end
    endgenerate

    // Registered with the request (S_IDLE): the side's summary and best-level cache, the
    // one-hot bit and word of the level, the word search mask, the next occupied word beyond
    // the level's (the summary search), whether the level is the best or better than it,
    // and whether the delta is nonzero.
    // Nothing writes them between the request and S_WB (the summary is written in S_WB, the
    // cache in S_RMW, S_WB and S_SZ2, requests come only in S_IDLE), so S_RMW and S_WB start
    // from flip-flops only.
    reg [WPS-1:0]  r_sum_old_q, r_word1h_q;
    reg            r_word_on_q;
    reg [63:0]     r_bit1h_q, r_wmask_q;
    reg            r_dnz_q;
    reg            r_bv_q, r_eq_q, r_better_q;
    reg [WORD_W-1:0] r_senc_q;       // the next occupied word beyond the level's (search)
    reg            r_senc_found_q;
    reg [IDX_W-1:0] r_bi_q;
    reg [31:0]     r_bs_q;

    wire [SIDE_W-1:0] u_side    = {upd_sym, upd_buy};
    wire [WPS-1:0]    u_sum_old = sum_v_q[u_side] ? sum_mem[u_side] : {WPS{1'b0}};
    // masks built by decoding the index (no subtractor): levels strictly below (bid) or
    // above (ask) the updated one, in its word and in the summary
    reg  [63:0]       u_wmask, u_bit1h;
    reg  [WPS-1:0]    u_smask, u_word1h;
    integer mi;
    always @(*) begin
        for (mi = 0; mi < 64; mi = mi + 1) begin
            u_bit1h[mi] = (upd_idx[5:0] == mi[5:0]);
            u_wmask[mi] = upd_buy ? (mi[5:0] < upd_idx[5:0]) : (mi[5:0] > upd_idx[5:0]);
        end
        for (mi = 0; mi < WPS; mi = mi + 1) begin
            u_word1h[mi] = (u_word == mi[WORD_W-1:0]);
            u_smask[mi]  = (WPS > 1) && (upd_buy ? (mi < {1'b0, u_word}) : (mi > {1'b0, u_word}));
        end
    end

    // S_RMW: the new best level from the cache. A level better than the best (or any level
    // of an empty side) is empty, so it becomes 0 +- delta; the best level's old size is the
    // cached one; a worse level leaves the best as it is. Whether the update is at the best
    // level or better is decided with the request (r_eq_q, r_better_q).
    wire        c_eq     = r_eq_q;
    wire        c_better = r_better_q;
    wire [31:0] c_old    = c_eq ? r_bs_q : 32'd0;
    wire [31:0] c_new    = a_sub_q ? (c_old - a_delta_q) : (c_old + a_delta_q);
    // the best level's new size is 0 without waiting for the adder: bs - delta = 0 when
    // bs = delta; bs + delta = 0 (mod 2^32) when every bit's sum bit equals the carry into
    // it from the bit below, which is x | y there when the sum is 0 (bit 0: no carry in)
    wire [31:0] z_x      = r_bs_q ^ a_delta_q;
    wire [31:0] z_o      = r_bs_q | a_delta_q;
    wire        z_add    = !z_x[0] && (z_x[31:1] == z_o[30:0]);
    wire        z_sub    = (z_x == 32'd0);
    wire        c_nz     = c_eq ? !(a_sub_q ? z_sub : z_add) : r_dnz_q;
    // the same test for the level written back in S_WB
    wire [31:0] w_x      = lvl_q ^ a_delta_q;
    wire [31:0] w_o      = lvl_q | a_delta_q;
    wire        w_zero   = a_sub_q ? (w_x == 32'd0) : (!w_x[0] && (w_x[31:1] == w_o[30:0]));
    wire        unused_z = ^{z_o[31], w_o[31]};

    // S_WB: the write-back from the registered RAM outputs
    reg        bit_old, others_nz;
    reg [63:0] others;
    always @(*) begin
        sum_old  = r_sum_old_q;
        occ_old  = r_word_on_q ? occ_q : 64'd0;
        bit_old  = r_word_on_q && ((occ_q & r_bit1h_q) != 64'd0);
        lvl_old  = bit_old ? lvl_q : 32'd0;
        new_lvl  = a_sub_q ? (lvl_old - a_delta_q) : (lvl_old + a_delta_q);
        nz       = bit_old ? !w_zero : r_dnz_q;
        others   = occ_old & ~r_bit1h_q;
        others_nz = (others != 64'd0);
        new_occ  = others | (nz ? r_bit1h_q : 64'd0);
        new_sum  = (sum_old & ~r_word1h_q) | ((others_nz || nz) ? r_word1h_q : {WPS{1'b0}});

        // the masks exclude the updated bit, so the old word/summary give the same result as
        // the new ones: the search runs beside the write-back
        word_mask  = r_wmask_q;
        enc_word_in = (st_q == S_WORD2) ? occ_q : (occ_old & word_mask);
        enc_sum_in  = u_sum_old & u_smask;     // with the request: registered (r_senc_q)
    end

    // control
    always @(*) begin
        st_d        = st_q;
        lvl_rd_en   = 1'b0;
        occ_rd_en   = 1'b0;
        lvl_rd_addr = {{upd_sym, upd_buy}, upd_idx};
        occ_rd_addr = {{upd_sym, upd_buy}, u_word};
        wr_en       = 1'b0;
        upd_done    = 1'b0;
        best_we     = 1'b0;
        best_v_d    = r_bv_q;
        best_i_d    = r_bi_q;
        best_s_d    = r_bs_q;

        case (st_q)
            S_IDLE: begin
                if (upd_valid) begin
                    lvl_rd_en = 1'b1;
                    occ_rd_en = 1'b1;
                    st_d      = S_RMW;
                end
            end
            S_RMW: begin
                st_d = S_WB;
                if (c_nz && c_better) begin
                    best_we = 1'b1; best_v_d = 1'b1; best_i_d = a_idx_q; best_s_d = c_new;
                    upd_done = 1'b1;
                end else if (c_nz && c_eq) begin
                    best_we = 1'b1; best_s_d = c_new;
                    upd_done = 1'b1;
                end else if (!c_eq) begin
                    upd_done = 1'b1;
                end
                // else the best level empties: S_WB searches
            end
            S_WB: begin
                wr_en = 1'b1;
                st_d  = S_IDLE;
                // both reads are issued whichever is used (their addresses wait for no
                // decision): the next occupied level of the word, the next occupied word
                lvl_rd_en   = srch_q;
                lvl_rd_addr = {a_side_q, cand_same};
                occ_rd_en   = srch_q;
                occ_rd_addr = {a_side_q, r_senc_q};
                if (srch_q) begin
                    if (wenc_found) begin
                        st_d        = S_SZ;
                    end else if (r_senc_found_q) begin
                        st_d        = S_WORD;
                    end else begin
                        st_d        = S_NONE;    // the side is empty (decided into a register)
                    end
                end
            end
            S_WORD: st_d = S_WORD2;      // the word arrives: registered
            S_WORD2: begin
                lvl_rd_en   = 1'b1;
                lvl_rd_addr = {a_side_q, cand_word};
                st_d        = S_SZ;
            end
            S_SZ: st_d = S_SZ2;          // the size arrives: registered
            S_NONE: begin
                best_we  = 1'b1;
                best_v_d = 1'b0;
                upd_done = 1'b1;
                st_d     = S_IDLE;
            end
            default: begin // S_SZ2
                best_we  = 1'b1;
                best_v_d = 1'b1;
                best_i_d = cand_q;
                best_s_d = lvl_q;
                upd_done = 1'b1;
                st_d     = S_IDLE;
            end
        endcase
    end

    // counter update: the three counters of a side live in one word
    wire [SIDE_W-1:0] c_side = {cnt_sym, cnt_buy};
    wire [95:0]       cnt_old = cnt_v_q[c_side] ? cnt_mem[c_side] : 96'd0;
    reg  [95:0]       cnt_new;
    always @(*) begin
        cnt_new = cnt_old;
        case (cnt_cls)
            `RG_CLS_BELOW: cnt_new[31:0]  = cnt_dec ? cnt_old[31:0]  - 32'd1 : cnt_old[31:0]  + 32'd1;
            `RG_CLS_ABOVE: cnt_new[63:32] = cnt_dec ? cnt_old[63:32] - 32'd1 : cnt_old[63:32] + 32'd1;
            default:       cnt_new[95:64] = cnt_dec ? cnt_old[95:64] - 32'd1 : cnt_old[95:64] + 32'd1;
        endcase
    end
    wire cnt_we = cnt_valid && (cnt_cls != `RG_CLS_IN);

    // ---------------------------------------------------------------- registers
    always @(posedge clk) begin
        if (rst) begin
            st_q      <= S_IDLE;
            a_side_q  <= {SIDE_W{1'b0}};
            a_idx_q   <= {IDX_W{1'b0}};
            a_delta_q <= 32'd0;
            a_sub_q   <= 1'b0;
            srch_q    <= 1'b0;
            w2_q      <= {WORD_W{1'b0}};
            cand_q    <= {IDX_W{1'b0}};
            sum_v_q   <= {NSIDES{1'b0}};
            best_v_q  <= {NSIDES{1'b0}};
            cnt_v_q   <= {NSIDES{1'b0}};
        end else begin
            st_q <= st_d;
            if (st_q == S_IDLE && upd_valid) begin
                a_side_q  <= {upd_sym, upd_buy};
                a_idx_q   <= upd_idx;
                a_delta_q <= upd_delta;
                a_sub_q   <= upd_sub;
            end
            if (st_q == S_RMW) srch_q <= c_eq && !c_nz;
            if (st_q == S_WB) begin
                sum_v_q[a_side_q] <= 1'b1;
                w2_q   <= r_senc_q;
                cand_q <= cand_same;
            end
            if (st_q == S_WORD2) cand_q <= cand_word;
            if (best_we) begin
                best_v_q[a_side_q] <= best_v_d;
            end
            if (cnt_we) cnt_v_q[c_side] <= 1'b1;
        end
    end

    // request-time datapath registers (no reset: read only in S_RMW, after a request)
    always @(posedge clk) begin
        if (st_q == S_IDLE && upd_valid) begin
            r_sum_old_q <= u_sum_old;
            r_word_on_q <= u_sum_old[u_word];
            r_word1h_q  <= u_word1h;
            r_bit1h_q   <= u_bit1h;
            r_wmask_q   <= u_wmask;
            r_dnz_q     <= (upd_delta != 32'd0);
            r_bv_q      <= best_v_q[u_side];
            r_senc_q    <= upd_buy ? senc_hi : senc_lo;
            r_senc_found_q <= senc_found;
            r_eq_q      <= best_v_q[u_side] && (upd_idx == bi_mem[u_side]);
            r_better_q  <= !best_v_q[u_side] || (upd_buy ? (upd_idx > bi_mem[u_side]) : (upd_idx < bi_mem[u_side]));
            r_bi_q      <= bi_mem[u_side];
            r_bs_q      <= bs_mem[u_side];
        end
        // the RAM outputs of a read issued in the previous cycle
        if (st_q == S_RMW || st_q == S_SZ) lvl_q <= lvl_rd;
        if (st_q == S_RMW || st_q == S_WORD) occ_q <= occ_rd;
    end

    // arrays: written without reset (their valid bits are)
    always @(posedge clk) begin
        if (!rst) begin
            if (st_q == S_WB) sum_mem[a_side_q] <= new_sum;
            if (best_we && best_v_d) begin     // an emptied side only clears its valid bit
                bi_mem[a_side_q] <= best_i_d;
                bs_mem[a_side_q] <= best_s_d;
            end
            if (cnt_we) cnt_mem[c_side] <= cnt_new;
        end
    end

    assign upd_ready = (st_q == S_IDLE);
    assign nb_valid  = best_v_d;
    assign nb_idx    = best_i_d;
    assign nb_sz     = best_s_d;

    wire [SIDE_W-1:0] qb = {q_sym, 1'b1};
    wire [SIDE_W-1:0] qa = {q_sym, 1'b0};
    wire [95:0] cnt_b = cnt_v_q[qb] ? cnt_mem[qb] : 96'd0;
    wire [95:0] cnt_a = cnt_v_q[qa] ? cnt_mem[qa] : 96'd0;
    assign bid_valid    = best_v_q[qb];
    assign bid_idx      = bi_mem[qb];
    assign bid_sz       = bs_mem[qb];
    assign ask_valid    = best_v_q[qa];
    assign ask_idx      = bi_mem[qa];
    assign ask_sz       = bs_mem[qa];
    assign bid_below_nz = (cnt_b[31:0]  != 32'd0);
    assign bid_above_nz = (cnt_b[63:32] != 32'd0);
    assign bid_off_nz   = (cnt_b[95:64] != 32'd0);
    assign ask_below_nz = (cnt_a[31:0]  != 32'd0);
    assign ask_above_nz = (cnt_a[63:32] != 32'd0);
    assign ask_off_nz   = (cnt_a[95:64] != 32'd0);
endmodule
`default_nettype wire
