// Order table (spec section 5): two banks of 2^SET_BITS sets x WAYS ways, a stash of
// STASH_SLOTS entries for orders whose two sets are full (book orders), and a ghost list of
// GHOST_SLOTS entries for orders that could not be placed (not in the book).
//
// Entry: {ref[63:0], symbol, side, price, shares, class, idx} (ENTRY_W bits); a ghost keeps
// {ref, symbol, side, price, shares} (GHOST_W bits) and reads back with class and idx 0.
// Bank 0 is addressed by the XOR fold of the reference, bank 1 by its CRC-32C (rg_ref_hash);
// both are read in parallel. Stash and ghosts are flip-flops compared in parallel: their
// match vectors are taken in the read cycle (against rd_ref).
//
// The lookup is pipelined for the clock (no cycle holds a RAM read, a 64-bit compare, a
// selection and a write): cycle t reads; t+1 registers the lines, valid bits and way
// matches out of the RAMs, and the first matching stash slot's and ghost slot's entries
// (their match vectors were registered at t; no slot is written at t+1 or t+2); t+2 makes
// the one-hot selections over the ways and those two entries, and registers the hit entry
// with its shares compared with and subtracted from x; from t+3 the results are registered
// outputs and the writes use registered lines.
// Back to back: the next read may come in the cycle of the previous lookup's write (the
// book engine accepts its next message there). The RAMs then return the old set, so the
// written line and valid bits are forwarded when the read is of the set just written, and
// the stash and ghost match vectors taken in that cycle get the written slot's change.
//
// Read: rd_en with rd_ref and rd_shares (x) in cycle t. From cycle t+3 (until the next read):
//   hit, hit_ghost, hit_entry  the first valid entry holding the reference, in the lookup
//                              order bank 0 ways, bank 1 ways, stash slots, ghost slots
//   hit_lt, hit_diff           x < the hit entry's shares e, and e - x (mod 2^32): computed
//                              at t+2 beside every candidate's shares (from registers) and
//                              selected with the hit, so the user's write in t+3 needs no
//                              compare or subtraction (no carry chain before a RAM write)
//   ins_book, ins_stash,       where an insert of that reference goes: the lowest free way of
//   ins_ghost                  bank 0's set, else of bank 1's, else the lowest free stash slot
//                              (ins_book; ins_stash for the stash), else the lowest free ghost
//                              slot (ins_ghost), else nowhere (untracked)
// Writes, from cycle t+3 until (and in the cycle of) the next read (at most one per cycle,
// never from t+1 to t+2):
//   hit_we     the hit entry: freed (hit_free) or left with hit_shares shares
//   ins_we     ins_entry (its reference = the one read) goes where ins_* said
//   clr_we     every ghost of clr_sym is freed (control op CLEAR_COLLISION; any cycle
//              without a lookup in flight or another write)
// occ_live (book orders: banks and stash), occ_stash and occ_ghost follow the writes two
// cycles later (spec section 12 peaks; registered apart from the lookup path). busy: the banks' valid-bit clear sweep after reset.
`default_nettype none
`include "rg_contract.vh"
module rg_order_table #(
    parameter integer SET_BITS    = `RG_SET_BITS_DEFAULT,
    parameter integer WAYS        = `RG_WAYS_DEFAULT,
    parameter integer STASH_SLOTS = `RG_STASH_SLOTS_DEFAULT,
    parameter integer GHOST_SLOTS = `RG_GHOST_SLOTS_DEFAULT,
    parameter integer SYM_W       = 6,
    parameter integer IDX_W       = 12,
    parameter integer ENTRY_W     = 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               rd_en,
    input  wire [63:0]        rd_ref,
    input  wire [31:0]        rd_shares,   // x: the message's shares, for hit_lt / hit_diff
    output wire               hit,
    output wire               hit_ghost,
    output reg  [ENTRY_W-1:0] hit_entry,   // registered (t+3)
    output reg                hit_lt,      // registered (t+3): x < the hit entry's shares
    output reg  [31:0]        hit_diff,    // registered (t+3): the hit entry's shares - x
    output wire               ins_book,
    output wire               ins_stash,
    output wire               ins_ghost,

    input  wire               hit_we,
    input  wire               hit_free,
    input  wire [31:0]        hit_shares,
    input  wire               ins_we,
    input  wire [ENTRY_W-1:0] ins_entry,
    input  wire               clr_we,
    input  wire [SYM_W-1:0]   clr_sym,

    output wire [31:0]        occ_live,
    output wire [31:0]        occ_stash,
    output wire [31:0]        occ_ghost,
    output wire               busy
);
    initial begin
        `RG_CHECK_SET_BITS(SET_BITS)
        `RG_CHECK_WAYS(WAYS)
        `RG_CHECK_STASH_SLOTS(STASH_SLOTS)
        `RG_CHECK_GHOST_SLOTS(GHOST_SLOTS)
        // an entry holds a 6-bit symbol (spec section 5) and a level index of the window
        if (SYM_W < 1 || SYM_W > $clog2(`RG_MAX_SYMBOLS_MAX) || IDX_W < $clog2(`RG_WINDOW_TICKS_MIN)
            || IDX_W > $clog2(`RG_WINDOW_TICKS_MAX) || ENTRY_W != 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W) begin
            $error("rg_order_table: SYM_W = %0d, IDX_W = %0d, ENTRY_W = %0d are inconsistent (instance %m)",
                   SYM_W, IDX_W, ENTRY_W);
            $finish;
        end
    end

    localparam integer SHARES_LO = IDX_W + 2;                 // entry: ... shares, class, idx
    localparam integer REF_LO    = ENTRY_W - 64;
    localparam integer GHOST_W   = ENTRY_W - SHARES_LO;       // {ref, symbol, side, price, shares}
    localparam integer G_SYM_LO  = GHOST_W - 64 - SYM_W;
    localparam integer LIVE_W    = $clog2(2 * WAYS * (1 << SET_BITS) + STASH_SLOTS + 1);
    localparam integer SCNT_W    = $clog2(STASH_SLOTS + 1);
    localparam integer GCNT_W    = $clog2(GHOST_SLOTS + 1);

    // ---------------------------------------------------------------- banks
    wire [SET_BITS-1:0] h0, h1;
    rg_ref_hash #(.SET_BITS(SET_BITS)) u_hash (.ref_in(rd_ref), .h0(h0), .h1(h1));

    reg  [63:0]            ref_q;        // the reference read last
    reg  [31:0]            xsh_q;        // and its x (rd_shares)
    reg  [SET_BITS-1:0]    set0_q, set1_q;
    wire [WAYS*ENTRY_W-1:0] line0, line1;
    wire [WAYS-1:0]        vb0, vb1;
    reg                    b0_we, b0_vwe, b1_we, b1_vwe;
    reg  [WAYS*ENTRY_W-1:0] b0_line, b1_line;
    reg  [WAYS-1:0]        b0_vbits, b1_vbits;
    wire                   busy0, busy1;

    rg_order_bank #(.SET_BITS(SET_BITS), .WAYS(WAYS), .ENTRY_W(ENTRY_W)) u_bank0 (
        .clk(clk), .rst(rst),
        .rd_en(rd_en), .rd_set(h0), .line(line0), .vbits(vb0),
        .wr_en(b0_we), .wr_valid_en(b0_vwe), .wr_set(set0_q), .wr_line(b0_line), .wr_vbits(b0_vbits),
        .busy(busy0)
    );
    rg_order_bank #(.SET_BITS(SET_BITS), .WAYS(WAYS), .ENTRY_W(ENTRY_W)) u_bank1 (
        .clk(clk), .rst(rst),
        .rd_en(rd_en), .rd_set(h1), .line(line1), .vbits(vb1),
        .wr_en(b1_we), .wr_valid_en(b1_vwe), .wr_set(set1_q), .wr_line(b1_line), .wr_vbits(b1_vbits),
        .busy(busy1)
    );

    // ---------------------------------------------------------------- stash and ghosts
    reg  [STASH_SLOTS-1:0]         sv_q;       // valid
    reg  [GHOST_SLOTS-1:0]         gv_q;
    reg  [STASH_SLOTS-1:0]         sm_q;       // valid and holding the reference read last
    reg  [GHOST_SLOTS-1:0]         gm_q;
    wire [STASH_SLOTS*ENTRY_W-1:0] stash;
    wire [GHOST_SLOTS*GHOST_W-1:0] ghost;
    wire [STASH_SLOTS-1:0]         sm_d;
    wire [GHOST_SLOTS-1:0]         gm_d, g_of_clr;

    // ---------------------------------------------------------------- lookup pipeline
    // t (rd_en): a bank write in the read's cycle to the set being read is kept for t+1
    reg                     fl0_q, fl1_q, fv0_q, fv1_q;   // forward line / valid bits
    reg [WAYS*ENTRY_W-1:0]  fline0_q, fline1_q;
    reg [WAYS-1:0]          fvb0_q, fvb1_q;
    always @(posedge clk) begin
        if (rd_en) begin
            fl0_q    <= b0_we  && (h0 == set0_q);
            fv0_q    <= b0_vwe && (h0 == set0_q);
            fl1_q    <= b1_we  && (h1 == set1_q);
            fv1_q    <= b1_vwe && (h1 == set1_q);
            fline0_q <= b0_line;
            fline1_q <= b1_line;
            fvb0_q   <= b0_vbits;
            fvb1_q   <= b1_vbits;
        end
    end
    wire [WAYS*ENTRY_W-1:0] line0_f = fl0_q ? fline0_q : line0;
    wire [WAYS*ENTRY_W-1:0] line1_f = fl1_q ? fline1_q : line1;
    wire [WAYS-1:0]         vb0_f   = fv0_q ? fvb0_q : vb0;
    wire [WAYS-1:0]         vb1_f   = fv1_q ? fvb1_q : vb1;
    // the way matches: the RAM's line and the forwarded one are compared with the reference
    // each on its own (the forwarded one from registers only), and the match selected after
    // the compares, so the forward select is not between the RAM output and the compare.
    // The RAM side's 64-bit compare is a tree of LUT4s kept as such (two bit pairs, then
    // fours, then fours, then the match: 4 levels behind the block RAM's clock to out;
    // synthesis otherwise chained it, 8 levels in the whole engine)
    wire [WAYS-1:0]         m0, m1;
    genvar gw, gp;
    generate
        for (gw = 0; gw < WAYS; gw = gw + 1) begin : g_cmp
            wire [63:0] l0 = line0[ENTRY_W*gw + REF_LO +: 64];
            wire [63:0] l1 = line1[ENTRY_W*gw + REF_LO +: 64];
            (* keep *) wire [31:0] p0, p1;    // bit pairs equal
            (* keep *) wire [7:0]  u0, u1;    // 8-bit groups equal
            (* keep *) wire [1:0]  v0, v1;    // 32-bit halves equal
            for (gp = 0; gp < 32; gp = gp + 1) begin : g_pair
                assign p0[gp] = (l0[2*gp +: 2] == ref_q[2*gp +: 2]);
                assign p1[gp] = (l1[2*gp +: 2] == ref_q[2*gp +: 2]);
            end
            for (gp = 0; gp < 8; gp = gp + 1) begin : g_byte
                assign u0[gp] = &p0[4*gp +: 4];
                assign u1[gp] = &p1[4*gp +: 4];
            end
            for (gp = 0; gp < 2; gp = gp + 1) begin : g_half
                assign v0[gp] = &u0[4*gp +: 4];
                assign v1[gp] = &u1[4*gp +: 4];
            end
            wire q0 = (fline0_q[ENTRY_W*gw + REF_LO +: 64] == ref_q);
            wire q1 = (fline1_q[ENTRY_W*gw + REF_LO +: 64] == ref_q);
            // m = valid && (fl ? q : v[0] && v[1]) in one LUT4 after the halves: a forwarded
            // line that does not match clears the valid term (x0: one LUT4 beside the tree)
            (* keep *) wire x0 = vb0_f[gw] && (!fl0_q || q0);
            (* keep *) wire x1 = vb1_f[gw] && (!fl1_q || q1);
            assign m0[gw] = x0 && (fl0_q || (v0[0] && v0[1]));
            assign m1[gw] = x1 && (fl1_q || (v1[0] && v1[1]));
        end
    endgenerate

    // t+1 (rd1_q): the lines, valid bits and way matches into registers; the line registers
    // also feed the write-back, so no RAM output drives a RAM input
    reg                     rd1_q, rd2_q;
    reg [WAYS*ENTRY_W-1:0]  line0_q, line1_q;
    reg [WAYS-1:0]          vb0_q, vb1_q, m0_q, m1_q;
    always @(posedge clk) begin
        if (rd1_q) begin
            line0_q <= line0_f;
            line1_q <= line1_f;
            vb0_q   <= vb0_f;
            vb1_q   <= vb1_f;
            m0_q    <= m0;
            m1_q    <= m1;
        end
    end

    // t+1 (rd1_q): the first matching stash slot's and ghost slot's entries, selected from
    // the match vectors registered at t (sm_1h / gm_1h below; the slots are not written at
    // t+1 and t+2, and a write at t is in them already)
    reg [ENTRY_W-1:0] s_sel_q, s_sel_d;
    reg [GHOST_W-1:0] g_sel_q, g_sel_d;
    always @(posedge clk) begin
        if (rd1_q) begin
            s_sel_q <= s_sel_d;
            g_sel_q <= g_sel_d;
        end
    end

    // t+2 (rd2_q): lowest set bit of each vector, one-hot (prefix ORs, no carry chain)
    reg [WAYS-1:0]        m0_1h, m1_1h, f0_1h, f1_1h;
    reg [STASH_SLOTS-1:0] sm_1h, sf_1h;
    reg [GHOST_SLOTS-1:0] gm_1h, gf_1h;
    reg                   a0, a1, a2, a3, a4, a5, a6, a7;
    integer i;
    always @(*) begin
        a0 = 1'b0; a1 = 1'b0; a2 = 1'b0; a3 = 1'b0;
        for (i = 0; i < WAYS; i = i + 1) begin
            m0_1h[i] = m0_q[i] && !a0;   a0 = a0 || m0_q[i];
            m1_1h[i] = m1_q[i] && !a1;   a1 = a1 || m1_q[i];
            f0_1h[i] = !vb0_q[i] && !a2; a2 = a2 || !vb0_q[i];
            f1_1h[i] = !vb1_q[i] && !a3; a3 = a3 || !vb1_q[i];
        end
        a4 = 1'b0; a5 = 1'b0;
        for (i = 0; i < STASH_SLOTS; i = i + 1) begin
            sm_1h[i] = sm_q[i] && !a4;  a4 = a4 || sm_q[i];
            sf_1h[i] = !sv_q[i] && !a5; a5 = a5 || !sv_q[i];
        end
        a6 = 1'b0; a7 = 1'b0;
        for (i = 0; i < GHOST_SLOTS; i = i + 1) begin
            gm_1h[i] = gm_q[i] && !a6;  a6 = a6 || gm_q[i];
            gf_1h[i] = !gv_q[i] && !a7; a7 = a7 || !gv_q[i];
        end
    end

    wire hit0_d = |m0_q, hit1_d = |m1_q, hit_s_d = |sm_q, hit_g_d = |gm_q;
    wire free0_d = !(&vb0_q), free1_d = !(&vb1_q), free_s_d = !(&sv_q), free_g_d = !(&gv_q);

    // the place of the hit, and of an insert (one-hot over all places, first in lookup order)
    wire [WAYS-1:0]        h0_1h_d = m0_1h;
    wire [WAYS-1:0]        h1_1h_d = hit0_d ? {WAYS{1'b0}} : m1_1h;
    wire [STASH_SLOTS-1:0] hs_1h_d = (hit0_d || hit1_d) ? {STASH_SLOTS{1'b0}} : sm_1h;
    wire [GHOST_SLOTS-1:0] hg_1h_d = (hit0_d || hit1_d || hit_s_d) ? {GHOST_SLOTS{1'b0}} : gm_1h;
    wire                   hs_d    = !hit0_d && !hit1_d && hit_s_d;
    wire                   hg_d    = !hit0_d && !hit1_d && !hit_s_d && hit_g_d;

    // t+1: the first matching stash and ghost entries (AND-OR over their one-hot match)
    integer k;
    always @(*) begin
        s_sel_d = {ENTRY_W{1'b0}};
        for (k = 0; k < STASH_SLOTS; k = k + 1)
            s_sel_d = s_sel_d | ({ENTRY_W{sm_1h[k]}} & stash[ENTRY_W*k +: ENTRY_W]);
        g_sel_d = {GHOST_W{1'b0}};
        for (k = 0; k < GHOST_SLOTS; k = k + 1)
            g_sel_d = g_sel_d | ({GHOST_W{gm_1h[k]}} & ghost[GHOST_W*k +: GHOST_W]);
    end

    // t+2: the hit entry, AND-OR over the one-hot place (the ways, the stash's and the
    // ghosts' selected entries), and x against every candidate's shares beside it (each
    // compare and subtraction from registers), selected by the same one-hot place
    reg [ENTRY_W-1:0] hit_entry_d;
    reg               hit_lt_d;
    reg [31:0]        hit_diff_d;
    reg [31:0]        c_sh;
    integer           c;
    always @(*) begin
        hit_entry_d = ({ENTRY_W{hs_d}} & s_sel_q) | ({ENTRY_W{hg_d}} & {g_sel_q, {SHARES_LO{1'b0}}});
        c_sh        = s_sel_q[SHARES_LO +: 32];
        hit_lt_d    = hs_d && (xsh_q < c_sh);
        hit_diff_d  = {32{hs_d}} & (c_sh - xsh_q);
        c_sh        = g_sel_q[31:0];
        hit_lt_d    = hit_lt_d || (hg_d && (xsh_q < c_sh));
        hit_diff_d  = hit_diff_d | ({32{hg_d}} & (c_sh - xsh_q));
        for (c = 0; c < WAYS; c = c + 1) begin
            hit_entry_d = hit_entry_d | ({ENTRY_W{h0_1h_d[c]}} & line0_q[ENTRY_W*c +: ENTRY_W])
                                      | ({ENTRY_W{h1_1h_d[c]}} & line1_q[ENTRY_W*c +: ENTRY_W]);
            c_sh        = line0_q[ENTRY_W*c + SHARES_LO +: 32];
            hit_lt_d    = hit_lt_d || (h0_1h_d[c] && (xsh_q < c_sh));
            hit_diff_d  = hit_diff_d | ({32{h0_1h_d[c]}} & (c_sh - xsh_q));
            c_sh        = line1_q[ENTRY_W*c + SHARES_LO +: 32];
            hit_lt_d    = hit_lt_d || (h1_1h_d[c] && (xsh_q < c_sh));
            hit_diff_d  = hit_diff_d | ({32{h1_1h_d[c]}} & (c_sh - xsh_q));
        end
    end

    // t+3 on: the selections, registered
    reg [WAYS-1:0]        h0_1h, h1_1h, i0_1h, i1_1h;
    reg [STASH_SLOTS-1:0] hs_1h, is_1h;
    reg [GHOST_SLOTS-1:0] hg_1h, ig_1h;
    reg                   hit0, hit1, hit_s, hit_g, free0, free1, free_s, free_g;
    always @(posedge clk) begin
        if (rd2_q) begin
            hit_entry <= hit_entry_d;
            hit_lt    <= hit_lt_d;
            hit_diff  <= hit_diff_d;
            h0_1h     <= h0_1h_d;
            h1_1h     <= h1_1h_d;
            hs_1h     <= hs_1h_d;
            hg_1h     <= hg_1h_d;
            i0_1h     <= f0_1h;
            i1_1h     <= free0_d ? {WAYS{1'b0}} : f1_1h;
            is_1h     <= (free0_d || free1_d) ? {STASH_SLOTS{1'b0}} : sf_1h;
            ig_1h     <= (free0_d || free1_d || free_s_d) ? {GHOST_SLOTS{1'b0}} : gf_1h;
            hit0      <= hit0_d;
            hit1      <= hit1_d;
            hit_s     <= hit_s_d;
            hit_g     <= hit_g_d;
            free0     <= free0_d;
            free1     <= free1_d;
            free_s    <= free_s_d;
            free_g    <= free_g_d;
        end
    end

    assign hit       = hit0 || hit1 || hit_s || hit_g;
    assign hit_ghost = !hit0 && !hit1 && !hit_s && hit_g;
    assign ins_book  = free0 || free1 || free_s;
    assign ins_stash = !free0 && !free1 && free_s;
    assign ins_ghost = !free0 && !free1 && !free_s && free_g;

    // ---------------------------------------------------------------- bank writes
    // a bank writes back the line it read, with the inserted or updated way replaced
    function [ENTRY_W-1:0] with_shares(input [ENTRY_W-1:0] e, input [31:0] sh);
        begin
            with_shares = e;
            with_shares[SHARES_LO +: 32] = sh;
        end
    endfunction

    wire b0_ins = ins_we && free0;
    wire b1_ins = ins_we && !free0 && free1;
    wire b0_hit = hit_we && hit0;
    wire b1_hit = hit_we && !hit0 && hit1;
    integer w;
    always @(*) begin
        b0_we    = b0_ins || (b0_hit && !hit_free);
        b1_we    = b1_ins || (b1_hit && !hit_free);
        b0_vwe   = b0_ins || (b0_hit && hit_free);
        b1_vwe   = b1_ins || (b1_hit && hit_free);
        b0_vbits = ins_we ? (vb0_q | i0_1h) : (vb0_q & ~h0_1h);
        b1_vbits = ins_we ? (vb1_q | i1_1h) : (vb1_q & ~h1_1h);
        b0_line  = line0_q;
        b1_line  = line1_q;
        for (w = 0; w < WAYS; w = w + 1) begin
            if (ins_we ? i0_1h[w] : h0_1h[w])
                b0_line[ENTRY_W*w +: ENTRY_W] = ins_we ? ins_entry : with_shares(line0_q[ENTRY_W*w +: ENTRY_W], hit_shares);
            if (ins_we ? i1_1h[w] : h1_1h[w])
                b1_line[ENTRY_W*w +: ENTRY_W] = ins_we ? ins_entry : with_shares(line1_q[ENTRY_W*w +: ENTRY_W], hit_shares);
        end
    end

    // ---------------------------------------------------------------- stash and ghost slots
    // data registers have no reset (the valid bits qualify them); per-slot decoded enables
    genvar s;
    generate
        for (s = 0; s < STASH_SLOTS; s = s + 1) begin : g_stash
            reg [ENTRY_W-1:0] e_q;
            always @(posedge clk) begin
                if (ins_we && is_1h[s])                    e_q <= ins_entry;
                else if (hit_we && hs_1h[s] && !hit_free)  e_q[SHARES_LO +: 32] <= hit_shares;
            end
            assign stash[ENTRY_W*s +: ENTRY_W] = e_q;
            assign sm_d[s] = sv_q[s] && (e_q[REF_LO +: 64] == rd_ref);
        end
        for (s = 0; s < GHOST_SLOTS; s = s + 1) begin : g_ghost
            reg [GHOST_W-1:0] e_q;
            always @(posedge clk) begin
                if (ins_we && ig_1h[s])                    e_q <= ins_entry[SHARES_LO +: GHOST_W];
                else if (hit_we && hg_1h[s] && !hit_free)  e_q[31:0] <= hit_shares;
            end
            assign ghost[GHOST_W*s +: GHOST_W] = e_q;
            assign gm_d[s]     = gv_q[s] && (e_q[GHOST_W-64 +: 64] == rd_ref);
            assign g_of_clr[s] = (e_q[G_SYM_LO +: SYM_W] == clr_sym);
        end
    endgenerate

    wire ins_is_rd = (ins_entry[REF_LO +: 64] == rd_ref);   // an insert of the reference being read

    // ---------------------------------------------------------------- occupancy
    wire [SCNT_W-1:0] nstash_d;
    wire [GCNT_W-1:0] nghost_d;
    rg_popcount #(.WIDTH(STASH_SLOTS)) u_nstash (.in(sv_q), .count(nstash_d));
    rg_popcount #(.WIDTH(GHOST_SLOTS)) u_nghost (.in(gv_q), .count(nghost_d));

    reg [LIVE_W-1:0] live_q;
    reg              live_inc_q, live_dec_q;
    reg [SCNT_W-1:0] nstash_q;
    reg [GCNT_W-1:0] nghost_q;
    wire live_inc = ins_we && (free0 || free1 || free_s);
    wire live_dec = hit_we && hit_free && (hit0 || hit1 || hit_s);

    // ---------------------------------------------------------------- registers
    always @(posedge clk) begin
        if (rd_en) begin
            ref_q  <= rd_ref;
            xsh_q  <= rd_shares;
            set0_q <= h0;
            set1_q <= h1;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            sv_q     <= {STASH_SLOTS{1'b0}};
            gv_q     <= {GHOST_SLOTS{1'b0}};
            sm_q     <= {STASH_SLOTS{1'b0}};
            gm_q     <= {GHOST_SLOTS{1'b0}};
            rd1_q    <= 1'b0;
            rd2_q    <= 1'b0;
            live_q     <= {LIVE_W{1'b0}};
            live_inc_q <= 1'b0;
            live_dec_q <= 1'b0;
            nstash_q <= {SCNT_W{1'b0}};
            nghost_q <= {GCNT_W{1'b0}};
        end else begin
            rd1_q <= rd_en;
            rd2_q <= rd1_q;
            if (rd_en) begin
                // a slot written in this cycle matches from now on as written
                sm_q <= (sm_d | (ins_we && ins_is_rd ? is_1h : {STASH_SLOTS{1'b0}}))
                        & ~(hit_we && hit_free ? hs_1h : {STASH_SLOTS{1'b0}});
                gm_q <= (gm_d | (ins_we && ins_is_rd ? ig_1h : {GHOST_SLOTS{1'b0}}))
                        & ~(hit_we && hit_free ? hg_1h : {GHOST_SLOTS{1'b0}});
            end
            if (ins_we) begin
                sv_q <= sv_q | is_1h;
                gv_q <= gv_q | ig_1h;
            end else if (hit_we && hit_free) begin
                sv_q <= sv_q & ~hs_1h;
                gv_q <= gv_q & ~hg_1h;
            end else if (clr_we) begin
                gv_q <= gv_q & ~g_of_clr;
            end
            live_inc_q <= live_inc;
            live_dec_q <= live_dec;
            if (live_inc_q && !live_dec_q)      live_q <= live_q + 1'b1;
            else if (live_dec_q && !live_inc_q) live_q <= live_q - 1'b1;
            nstash_q <= nstash_d;
            nghost_q <= nghost_d;
        end
    end

    assign occ_live  = {{(32-LIVE_W){1'b0}}, live_q};
    assign occ_stash = {{(32-SCNT_W){1'b0}}, nstash_q};
    assign occ_ghost = {{(32-GCNT_W){1'b0}}, nghost_q};
    assign busy      = busy0 || busy1;

endmodule
`default_nettype wire
