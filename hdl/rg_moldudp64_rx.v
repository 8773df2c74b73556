// MoldUDP64 front end on a 64-bit AXI-Stream.
//
// One MoldUDP64 packet per AXI-Stream packet (tlast on its final beat). Byte 0 of the
// packet is tdata[7:0] of the first beat; tkeep must be contiguous from lane 0 (any beat
// may be partial, a beat with tkeep = 0 is allowed). A beat whose tkeep is not contiguous
// (2^n - 1, n = 0..8) is never parsed: the packet is cut there — the blocks that ended in
// earlier beats stand, the block in progress and the rest of the packet are dropped (no
// TRUNCATED, no seq), and stat_tkeep counts the packet (a card-only fault, spec section 15;
// a fault within the first 20 bytes drops the whole packet, uncounted in stat_packets).
// Packet layout: session (10 bytes),
// sequence number of the first message (8, big-endian), message count (2), then message
// blocks: a 2-byte big-endian length and that many bytes, packed across beat boundaries.
//
// Output: one token per message block, holding the first MSG_BYTES bytes of the message,
// its declared length and its sequence number. Sequencing (spec sections 2 and 9):
//  * a block of length 0 is ignored (no seq);
//  * a block of RG_CTRL_LEN (28) bytes whose type byte is '~' is a control message: it takes no seq
//    and `count` in the header does not include it;
//  * every other block takes the next seq, starting at the header's sequence number;
//  * a block cut short by the end of the packet is TRUNCATED and still takes a seq
//    (m_trunc = 1, m_len = declared length, or 0 when the length prefix itself is cut).
// Gap detection: a header sequence number above the next expected one counts a gap (the
// messages are still processed). Messages below the next expected seq are duplicates
// (retransmissions) and are dropped, and so is a control block sitting among them.
//
// Throughput: one beat per cycle while at most one message ends in the beat; a beat that
// holds the end of a second message (only blocks shorter than 7 bytes do that), or a message
// that starts after a short block whose length prefix is in the same beat, takes an extra
// cycle. Latency: a beat is processed in the cycle it is accepted (the message token is
// registered at the end of that cycle); the input register only holds a beat that could not be
// finished in its cycle, and tready is low while it does.
// Logic depth (the beat cycle from tkeep and tdata): whether the block in progress completes
// is a lane-presence bit selected by a registered count (rem_q, bytes still needed) or, for a
// block whose length prefix is in the beat, by its length's low nibble; what each start lane
// would do (fit, end lane) is computed for all eight lanes side by side; a block that starts in
// the same cycle as the previous one ends only where that end lane is a register (rem_q, or
// st_end_q after a stall); the message buffer is written for every lane of the block and the
// token cut to its length, so the block's end does not gate the lane writes; the token's
// fields load whenever a beat is processed (only their valid bit waits for the message end);
// the gap and count-mismatch counters compare registered values one cycle after the header /
// packet end (idle stays low until they have).
`default_nettype none
`include "rg_contract.vh"
module rg_moldudp64_rx #(
    parameter integer MSG_BYTES = `RG_ITCH_MAX_LEN
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   enable,
    input  wire [63:0]            cycle,

    input  wire [63:0]            s_axis_tdata,
    input  wire [7:0]             s_axis_tkeep,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    input  wire                   s_axis_tlast,

    output wire                   m_valid,
    input  wire                   m_ready,
    output wire [MSG_BYTES*8-1:0] m_data,
    output wire [15:0]            m_len,
    output wire                   m_trunc,
    output wire                   m_has_type,
    output wire                   m_ctrl,
    output wire [63:0]            m_seq,
    output wire [63:0]            m_t_offer,
    output wire [63:0]            m_t_last,

    output wire [31:0]            stat_packets,
    output wire [31:0]            stat_bad_packets,
    output wire [31:0]            stat_gaps,
    output wire [31:0]            stat_dups,
    output wire [31:0]            stat_count_mismatch,
    output wire [31:0]            stat_tkeep,
    output wire                   gap_seen,
    output wire                   eos_seen,
    output wire [63:0]            next_seq,
    output wire                   idle
);
    localparam integer BUF_W = MSG_BYTES * 8;

    // the buffer holds the 20-byte packet header and every known message; buffer offsets
    // are 6-bit (positions past 63 never reach it)
    initial begin
        if (MSG_BYTES < `RG_ITCH_MAX_LEN || MSG_BYTES > 63) begin
            $error("rg_moldudp64_rx: MSG_BYTES = %0d out of range %0d..63 (instance %m)", MSG_BYTES, `RG_ITCH_MAX_LEN);
            $finish;
        end
    end

    // ---------------------------------------------------------------- input (skid) register
    reg        in_valid_q;      // a partly processed beat is held
    reg [63:0] in_data_q;
    reg [3:0]  in_n_q;
    reg [7:0]  in_pres_q;       // lane j is present (j < in_n_q)
    reg        in_last_q;
    reg [63:0] in_toff_q;    // cycle the beat was first offered
    reg [63:0] in_tacc_q;    // cycle the beat was accepted
    reg        offer_pend_q; // a beat is being offered but was not accepted yet
    reg [63:0] offer_t_q;

    // ---------------------------------------------------------------- parse state
    reg         hdr_q;       // 1 while the 20-byte packet header is being read
    reg [16:0]  pos_q;       // bytes of the current block consumed (prefix included)
    reg [7:0]   lenhi_q;
    reg [15:0]  nlen_q;
    reg [3:0]   lp_q;        // first unconsumed lane of the current beat (0 unless the beat is
                             // held after a stall; then pos_q = 0 and hdr_q = 0)
    reg [BUF_W-1:0] buf_q;
    reg [63:0]  blk_toff_q;
    reg [63:0]  cur_seq_q;   // seq the next sequenced block of this packet takes
    reg [63:0]  exp_seq_q;   // next expected seq of the session
    reg [15:0]  hdr_cnt_q;
    reg [15:0]  nseq_q;      // sequenced blocks seen in this packet
    reg [16:0]  rem_q;       // bytes of the current block still needed, while its length is
                             // known (header, or pos >= 2)
    reg         gap_chk_q;   // a header was read last cycle: compare its seq (now cur_seq_q)
    reg         mism_chk_q;  // a packet ended last cycle: compare its count (hdr_cnt_q, nseq_q)
    // the block starting at lane lp_q of a held beat, judged in the cycle that stalled on it
    // which of the four cases below the block in progress is in, registered (derived from hdr,
    // pos and lp, which they always agree with: c_known = hdr || pos >= 2, c_p1 = !hdr && pos = 1,
    // c_held = lp != 0), so the completion test does not start with a 17-bit compare
    reg         kn_q, p1_q, held_q;
    reg         st_fit_q;    // it fits in the beat
    reg [3:0]   st_end_q;    // the lane after its end (when it fits)
    reg [15:0]  st_len_q;    // its length prefix

    // ---------------------------------------------------------------- output register
    reg             out_valid_q;
    reg [BUF_W-1:0] out_data_q;
    reg [15:0]      out_len_q;
    reg             out_trunc_q;
    reg             out_has_type_q;
    reg             out_ctrl_q;
    reg [63:0]      out_seq_q;
    reg [63:0]      out_toff_q;
    reg [63:0]      out_tlast_q;

    reg [31:0] st_pkts_q, st_bad_q, st_gaps_q, st_dups_q, st_mism_q, st_tkeep_q;
    reg        discard_q;   // the rest of a packet cut at a beat with a bad tkeep
    reg        gap_seen_q, eos_seen_q;

    // ---------------------------------------------------------------- next-state logic
    reg [7:0]   d [0:7];
    reg [7:0]   pres;                     // lane j present
    reg [7:0]   fit_at, stall_at, start_at;
    reg [3:0]   end_at [0:7];
    reg [4:0]   fit_t;
    reg         c_known, c_p1, c_p0, c_held, c_reg;
    reg [3:0]   avail, avail2, e1c, e1p, sel2;
    reg         known1, comp1, known2, stall_rest, start2;
    reg [15:0]  len1;
    reg [16:0]  rem_nc;
    reg [4:0]   adj1, adj2;               // 1 - avail, 2 - avail (two's complement)
    reg [7:0]   b0, b2, b3;
    reg         pos_ge4, rem_small, zero_base;
    reg [4:0]   psum_lo;
    reg         psum_ge2, psum_ge3, psum_nz;
    reg [16:0]  pos_sum;
    reg         proceed, beat_done;
    reg         hdr_done, msg_done, trunc_ev, bad_pkt, pkt_end;
    reg [BUF_W-1:0] base, buf1, buf2, out_d;
    reg [15:0]  len_m;
    reg [7:0]   typ;
    reg         is_zero, is_ctrl, seqd, drop;
    reg [63:0]  hseq;
    reg [15:0]  hcnt;
    reg [63:0]  blk_toff;
    reg [5:0]   pos6;
    reg [7:0]   u;                        // buffer byte of lane 0 (two's complement)
    reg [2:0]   u3;
    reg [7:0]   act1, ract, rot [0:7];
    reg [4:0]   u_hi;                     // u >> 3, signed: the 8-byte group of lane 0
    reg         win;
    integer     j, k;

    reg         hdr_d;
    reg [16:0]  pos_d;
    reg [7:0]   lenhi_d;
    reg [15:0]  nlen_d;
    reg [3:0]   lp_d;
    reg [BUF_W-1:0] buf_d;
    reg [63:0]  blk_toff_d, cur_seq_d, exp_seq_d;
    reg [15:0]  hdr_cnt_d, nseq_d;
    reg [16:0]  rem_d;
    reg         kn_d, p1_d, held_d;
    reg         st_fit_d;
    reg [3:0]   st_end_d;
    reg [15:0]  st_len_d;

    function [3:0] popcount8(input [7:0] v);
        integer b;
        begin
            popcount8 = 4'd0;
            for (b = 0; b < 8; b = b + 1) popcount8 = popcount8 + {3'd0, v[b]};
        end
    endfunction
    // lanes present for a tkeep: the first popcount(tkeep) lanes
    function [7:0] present8(input [7:0] keep);
        integer b;
        begin
            for (b = 0; b < 8; b = b + 1) present8[b] = (popcount8(keep) > b[3:0]);
        end
    endfunction
    // bit i of v for a lane number i, 0 past lane 7
    function at8(input [7:0] v, input [3:0] i);
        at8 = !i[3] && v[i[2:0]];
    endfunction

    wire out_free = !out_valid_q || m_ready;
    wire in_hs    = s_axis_tvalid && s_axis_tready;
    // A beat with a non-contiguous tkeep (a lane set above a clear one), or any beat after one
    // in its packet, is not parsed. It is accepted only when no beat is held (in_valid_q = 0,
    // the beat is the input), so the beat logic below runs on it as usual and only the register
    // writes of that cycle are withheld (skip_now, a shallow enable beside the deep next-state
    // logic: the beat cycle's paths are unchanged).
    wire keep_bad = |(s_axis_tkeep[7:1] & ~s_axis_tkeep[6:0]);
    wire in_skip  = keep_bad || discard_q;
    wire skip_now = in_hs && in_skip;
    wire cut      = in_hs && keep_bad && !discard_q;

    // the beat processed in this cycle: the held one, else the one being accepted
    wire        cur_valid = in_valid_q || in_hs;
    wire [63:0] cur_data  = in_valid_q ? in_data_q : s_axis_tdata;
    wire [3:0]  cur_n     = in_valid_q ? in_n_q : popcount8(s_axis_tkeep);
    wire [7:0]  cur_pres  = in_valid_q ? in_pres_q : present8(s_axis_tkeep);
    wire        cur_last  = in_valid_q ? in_last_q : s_axis_tlast;
    wire [63:0] cur_toff  = in_valid_q ? in_toff_q : (offer_pend_q ? offer_t_q : cycle);
    wire [63:0] cur_tacc  = in_valid_q ? in_tacc_q : cycle;


    always @(*) begin
        for (j = 0; j < 8; j = j + 1) d[j] = cur_data[8*j +: 8];
        pres = cur_pres;

        // ---- per start lane j: a block whose length prefix is at lanes j, j+1 fits in the
        // beat (fit_at), the lane after its end (end_at); a block that ends at lane j is
        // followed in the same cycle by the start of the next one (start_at: it does not fit
        // and the packet goes on) or the beat is held for the next cycle (stall_at). All from
        // the beat alone, side by side.
        for (j = 0; j < 7; j = j + 1) begin
            fit_t     = {1'b0, d[j + 1][3:0]} + j[4:0] + 5'd1;    // the block's last lane
            fit_at[j] = (d[j] == 8'd0) && (d[j + 1][7:4] == 4'd0) && !fit_t[4] && !fit_t[3] && pres[fit_t[2:0]];
            end_at[j] = fit_t[3:0] + 4'd1;
        end
        fit_at[7] = 1'b0;
        end_at[7] = 4'd0;
        for (j = 0; j < 8; j = j + 1) begin
            stall_at[j] = pres[j] && (fit_at[j] || cur_last);
            start_at[j] = pres[j] && !fit_at[j] && !cur_last;
        end

        // ---- part 1: the block in progress. Four cases, each with a shallow completion test:
        //  c_known: its length is known (header, or pos >= 2): the bytes still needed are
        //           registered (rem_q) and lp_q = 0, so it completes when lane rem_q - 1 is present;
        //  c_p1:    one prefix byte consumed (pos = 1, lp_q = 0): the second is lane 0;
        //  c_p0:    a new block at lane 0 of a new beat (pos = 0, lp_q = 0): fit_at[0];
        //  c_held:  a new block at lane lp_q != 0 of a held beat (pos = 0): judged in the
        //           cycle that stalled on it (st_*_q).
        pos_ge4   = |pos_q[16:2];
        rem_small = ~|rem_q[16:4];
        c_known   = kn_q;
        c_p1      = p1_q;
        c_held    = held_q;
        c_p0      = !kn_q && !p1_q && !held_q;
        // where a block whose prefix is in this beat ends (c_p1 / c_p0, from the data)
        e1p       = c_p1 ? d[0][3:0] + 4'd1 : d[1][3:0] + 4'd2;
        avail     = (cur_n > lp_q) ? (cur_n - lp_q) : 4'd0;
        b0        = c_held ? st_len_q[15:8] : d[0];
        adj1      = 5'd1 - {1'b0, avail};
        adj2      = 5'd2 - {1'b0, avail};
        if (c_known) begin
            known1 = 1'b1;
            comp1  = rem_small && (rem_q[3:0] == 4'd0 || (rem_q[3:0] <= 4'd8 && pres[rem_q[2:0] - 3'd1]));
            e1c    = rem_q[3:0];
            len1   = nlen_q;
            rem_nc = rem_q - {13'd0, avail};
        end else if (c_p1) begin
            known1 = pres[0];
            comp1  = (lenhi_q == 8'd0) && (d[0][7:3] == 5'd0) && pres[d[0][2:0]];
            e1c    = e1p;
            len1   = {lenhi_q, d[0]};
            rem_nc = {1'b0, len1} + {{12{adj1[4]}}, adj1};    // one adder: + 1 - avail
        end else if (c_p0) begin
            known1 = pres[1];
            comp1  = fit_at[0];
            e1c    = e1p;
            len1   = {d[0], d[1]};
            rem_nc = {1'b0, len1} + {{12{adj2[4]}}, adj2};    // + 2 - avail
        end else begin
            known1 = (avail >= 4'd2);
            comp1  = st_fit_q;
            e1c    = st_end_q;
            len1   = st_len_q;
            rem_nc = {1'b0, len1} + {{12{adj2[4]}}, adj2};    // + 2 - avail
        end
        comp1 = comp1 && cur_valid;
        // bytes consumed after this beat when the block does not complete (its only use)
        pos_sum = pos_q + {13'd0, avail};
        // pos_sum against small constants without the 17-bit adder
        psum_lo  = {3'd0, pos_q[1:0]} + {1'b0, avail};
        psum_ge2 = pos_ge4 || (psum_lo >= 5'd2);
        psum_ge3 = pos_ge4 || (psum_lo >= 5'd3);
        psum_nz  = (pos_q != 17'd0) || (avail != 4'd0);

        // ---- the message buffer: lane j goes to byte pos + (j - lp) - prefix; positions past
        // 63 never reach the buffer, so 8-bit arithmetic suffices. Every lane of the block from
        // lp on is written (the bytes past a completing block's end are cut from the output by
        // its length, and the buffer of the next block starts from buf2 or from zero).
        zero_base = !c_known;              // no byte of the block in the buffer yet
        base = zero_base ? {BUF_W{1'b0}} : buf_q;
        pos6 = (|pos_q[16:6]) ? 6'd63 : pos_q[5:0];
        u    = {2'b00, pos6} - {4'd0, lp_q} - (hdr_q ? 8'd0 : 8'd2);
        u_hi = u[7:3];
        // lane j is the block's from lane lp on, past its length prefix (lanes below lp + 2 -
        // pos when pos < 2; lp = 0 otherwise)
        for (j = 0; j < 8; j = j + 1)
            act1[j] = pres[j] && (c_known || ({1'b0, j[3:0]} + {4'd0, pos_q[0]} >= {1'b0, lp_q} + 5'd2));
        // lanes rotated so that byte k of the buffer takes rotated lane k mod 8 (lane k - u):
        // one 8:1 select per lane by a registered amount instead of 8 compares per byte
        u3 = pos_q[2:0] - lp_q[2:0] - (hdr_q ? 3'd0 : 3'd2);   // u mod 8 (u saturates only
                                                              // where no byte is written)
        for (j = 0; j < 8; j = j + 1) begin
            rot[j]  = d[j[2:0] - u3];
            ract[j] = act1[j[2:0] - u3];
        end
        buf1 = base;
        for (k = 0; k < MSG_BYTES; k = k + 1) begin
            // u <= k <= u + 7, by groups of 8 (no comparator): k's group is u's and k mod 8 >= u
            // mod 8, or the next one and k mod 8 < u mod 8
            win = (u_hi == k[7:3] && k[2:0] >= u[2:0]) || (u_hi + 5'd1 == k[7:3] && k[2:0] < u[2:0]);
            if (win && ract[k % 8]) buf1[8*k +: 8] = rot[k % 8];
        end

        // ---- part 2: what follows a block that completes at lane e1c. Only a block whose end
        // lane is registered (c_known: rem_q; c_held: st_end_q) lets the next one start in the
        // same cycle (start2); after a short block whose prefix is in this beat, the beat is held
        // (stall_rest) and the next block judged in the next cycle.
        c_reg  = c_known || c_held;
        sel2   = c_known ? rem_q[3:0] : st_end_q;
        stall_rest = comp1 && (c_reg ? at8(stall_at, sel2) : at8(pres, e1p));
        start2     = comp1 && c_reg && at8(start_at, sel2);
        avail2 = (cur_n > sel2) ? (cur_n - sel2) : 4'd0;
        known2 = (avail2 >= 4'd2);
        b2     = d[sel2[2:0]];
        b3     = d[sel2[2:0] + 3'd1];
        st_fit_d = at8(fit_at, e1c);
        st_end_d = end_at[e1c[2:0]];
        st_len_d = {d[e1c[2:0]], d[e1c[2:0] + 3'd1]};

        // the new block's message bytes: byte k is lane sel2 + 2 + k, selected by a decode of
        // sel2 (a register: no offset arithmetic on the path)
        buf2 = {BUF_W{1'b0}};
        for (k = 0; k < 6; k = k + 1)
            for (j = 0; j < 6 - k; j = j + 1)
                if (sel2 == j[3:0] && (j[3:0] + k[3:0] + 4'd2 < cur_n)) buf2[8*k +: 8] = d[j + k + 2];

        // ---- events
        proceed   = cur_valid && out_free;
        beat_done = proceed && !stall_rest;
        hdr_done  = proceed && comp1 && hdr_q;
        msg_done  = proceed && comp1 && !hdr_q;
        trunc_ev  = proceed && !comp1 && cur_last && !hdr_q && psum_nz;
        bad_pkt   = proceed && !comp1 && cur_last && hdr_q;
        pkt_end   = beat_done && cur_last;

        // length of the completing (or truncated) message
        // (only used when the block is not the header)
        len_m = (comp1 || psum_ge2) ? len1 : 16'd0;
        // the message token: its bytes, none past its length (len1, not len_m: when len_m is 0
        // for a prefix cut short, no byte of the block is in buf1)
        for (k = 0; k < MSG_BYTES; k = k + 1)
            out_d[8*k +: 8] = (len1 > k[15:0]) ? buf1[8*k +: 8] : 8'd0;
        // a 28-byte message ends at least 27 bytes after its type byte, so when one ends
        // in this beat its type byte arrived in an earlier beat
        typ     = buf_q[7:0];
        is_zero = msg_done && (len1 == 16'd0);            // len_m = len1 when a block completes
        is_ctrl = msg_done && (len1 == `RG_CTRL_LEN) && (typ == `RG_ASCII_TILDE);
        seqd    = (msg_done || trunc_ev) && !is_zero && !is_ctrl;
        drop    = is_zero || (cur_seq_q < exp_seq_q);

        hseq = {buf1[8*10 +: 8], buf1[8*11 +: 8], buf1[8*12 +: 8], buf1[8*13 +: 8],
                buf1[8*14 +: 8], buf1[8*15 +: 8], buf1[8*16 +: 8], buf1[8*17 +: 8]};
        hcnt = {buf1[8*18 +: 8], buf1[8*19 +: 8]};

        blk_toff = (pos_q == 17'd0 && !hdr_q) ? cur_toff : blk_toff_q;

        // ---- next state
        hdr_d      = hdr_q;
        pos_d      = pos_q;
        lenhi_d    = lenhi_q;
        nlen_d     = nlen_q;
        lp_d       = lp_q;
        buf_d      = buf_q;
        blk_toff_d = blk_toff_q;
        cur_seq_d  = cur_seq_q;
        exp_seq_d  = exp_seq_q;
        hdr_cnt_d  = hdr_cnt_q;
        nseq_d     = nseq_q;
        rem_d      = rem_q;
        kn_d       = kn_q;
        p1_d       = p1_q;
        held_d     = held_q;

        if (proceed) begin
            if (comp1) begin
                hdr_d = 1'b0;
                pos_d = 17'd0;
                // the next block's first bytes (zero when none is in the beat; when the beat is
                // held, the next cycle starts that block from zero)
                buf_d = buf2;
                if (start2) begin
                    pos_d      = {13'd0, avail2};
                    lenhi_d    = b2;
                    if (known2) begin
                        nlen_d = {b2, b3};
                        rem_d  = {1'b0, b2, b3} + 17'd2 - {13'd0, avail2};
                    end
                    blk_toff_d = cur_toff;
                end
            end else begin
                pos_d      = pos_sum;
                buf_d      = buf1;
                blk_toff_d = blk_toff;
                rem_d      = rem_nc;
                if (pos_q == 17'd0 && avail >= 4'd1) lenhi_d = b0;
                if (!c_known && known1) nlen_d = len1;
            end
            lp_d = stall_rest ? e1c : 4'd0;
            // the case flags of hdr_d / pos_d / lp_d, from the shallow terms (pos_sum >= 2 is
            // psum_ge2; pos_sum = 1 is pos < 4 with psum_lo = 1)
            held_d = stall_rest;
            if (comp1) begin
                kn_d = start2 && known2;
                p1_d = start2 && (avail2 == 4'd1);
            end else begin
                kn_d = hdr_q || psum_ge2;
                p1_d = !hdr_q && !pos_ge4 && (psum_lo == 5'd1);
            end

            if (hdr_done) begin
                cur_seq_d = hseq;
                hdr_cnt_d = hcnt;
                nseq_d    = 16'd0;
            end
            if (seqd) begin
                cur_seq_d = cur_seq_q + 64'd1;
                nseq_d    = nseq_q + 16'd1;
                if (!drop) exp_seq_d = cur_seq_q + 64'd1;
            end
            if (pkt_end) begin
                // the buffer is not cleared: the header overwrites bytes 0..19 and its end
                // loads buf2
                hdr_d = 1'b1;
                pos_d = 17'd0;
                lp_d  = 4'd0;
                rem_d = 17'd20;
                kn_d  = 1'b1;
                p1_d  = 1'b0;
            end
        end

    end

    // ---------------------------------------------------------------- registers
    always @(posedge clk) begin
        if (rst) begin
            in_valid_q   <= 1'b0;
            in_data_q    <= 64'd0;
            in_n_q       <= 4'd0;
            in_pres_q    <= 8'd0;
            in_last_q    <= 1'b0;
            in_toff_q    <= 64'd0;
            in_tacc_q    <= 64'd0;
            offer_pend_q <= 1'b0;
            offer_t_q    <= 64'd0;
            hdr_q        <= 1'b1;
            pos_q        <= 17'd0;
            lenhi_q      <= 8'd0;
            nlen_q       <= 16'd0;
            lp_q         <= 4'd0;
            kn_q         <= 1'b1;
            p1_q         <= 1'b0;
            held_q       <= 1'b0;
            buf_q        <= {BUF_W{1'b0}};
            blk_toff_q   <= 64'd0;
            cur_seq_q    <= 64'd1;
            exp_seq_q    <= 64'd1;
            hdr_cnt_q    <= 16'd0;
            nseq_q       <= 16'd0;
            rem_q        <= 17'd20;
            gap_chk_q    <= 1'b0;
            mism_chk_q   <= 1'b0;
            st_fit_q     <= 1'b0;
            st_end_q     <= 4'd0;
            st_len_q     <= 16'd0;
            out_valid_q  <= 1'b0;
            out_data_q   <= {BUF_W{1'b0}};
            out_len_q    <= 16'd0;
            out_trunc_q  <= 1'b0;
            out_has_type_q <= 1'b0;
            out_ctrl_q   <= 1'b0;
            out_seq_q    <= 64'd0;
            out_toff_q   <= 64'd0;
            out_tlast_q  <= 64'd0;
            st_pkts_q    <= 32'd0;
            st_bad_q     <= 32'd0;
            st_gaps_q    <= 32'd0;
            st_dups_q    <= 32'd0;
            st_mism_q    <= 32'd0;
            st_tkeep_q   <= 32'd0;
            discard_q    <= 1'b0;
            gap_seen_q   <= 1'b0;
            eos_seen_q   <= 1'b0;
        end else begin
            // skid register: keeps a beat that was not finished in its cycle (every accepted
            // beat is written into it, and only in_valid_q depends on whether it was finished)
            if (in_valid_q) begin
                if (beat_done) in_valid_q <= 1'b0;
            end else if (in_hs && !in_skip && !beat_done) begin
                in_valid_q <= 1'b1;
            end
            if (in_hs) begin
                in_data_q  <= s_axis_tdata;
                in_n_q     <= popcount8(s_axis_tkeep);
                in_pres_q  <= present8(s_axis_tkeep);
                in_last_q  <= s_axis_tlast;
                in_toff_q  <= cur_toff;
                in_tacc_q  <= cycle;
            end
            if (s_axis_tvalid && !s_axis_tready && !offer_pend_q) begin
                offer_pend_q <= 1'b1;
                offer_t_q    <= cycle;
            end else if (in_hs) begin
                offer_pend_q <= 1'b0;
            end

            if (!skip_now) begin
                hdr_q      <= hdr_d;
                pos_q      <= pos_d;
                lenhi_q    <= lenhi_d;
                nlen_q     <= nlen_d;
                lp_q       <= lp_d;
                kn_q       <= kn_d;
                p1_q       <= p1_d;
                held_q     <= held_d;
                buf_q      <= buf_d;
                blk_toff_q <= blk_toff_d;
                cur_seq_q  <= cur_seq_d;
                exp_seq_q  <= exp_seq_d;
                hdr_cnt_q  <= hdr_cnt_d;
                nseq_q     <= nseq_d;
                rem_q      <= rem_d;
            end
            // a cut packet: back to reading a header (as at a packet's end), the rest skipped
            if (cut) begin
                hdr_q  <= 1'b1;
                pos_q  <= 17'd0;
                lp_q   <= 4'd0;
                rem_q  <= 17'd20;
                kn_q   <= 1'b1;
                p1_q   <= 1'b0;
                held_q <= 1'b0;
                st_tkeep_q <= st_tkeep_q + 32'd1;
            end
            if (in_hs && in_skip) discard_q <= !s_axis_tlast;
            if (proceed) begin       // only read in the cycle after a stall
                st_fit_q <= st_fit_d;
                st_end_q <= st_end_d;
                st_len_q <= st_len_d;
            end

            // the token's fields are loaded in every cycle that processes a beat (the output is
            // free then) and read only while out_valid_q: the wide enable is not the deep
            // message-done logic
            if (m_ready) out_valid_q <= 1'b0;
            if ((msg_done || trunc_ev) && !drop && !skip_now) out_valid_q <= 1'b1;
            if (proceed) begin
                out_data_q     <= out_d;
                out_len_q      <= len_m;
                out_trunc_q    <= trunc_ev;
                out_has_type_q <= msg_done || psum_ge3;
                out_ctrl_q     <= is_ctrl;
                out_seq_q      <= cur_seq_q;
                out_toff_q     <= blk_toff;
                out_tlast_q    <= cur_tacc;
            end

            // gap check one cycle after the header: cur_seq_q then holds its seq, and
            // exp_seq_q does not change in the header's cycle
            gap_chk_q <= hdr_done && !skip_now;
            if (gap_chk_q && cur_seq_q > exp_seq_q) begin
                st_gaps_q  <= st_gaps_q + 32'd1;
                gap_seen_q <= 1'b1;
            end
            if (hdr_done && !skip_now) begin
                st_pkts_q <= st_pkts_q + 32'd1;
                if (hcnt == 16'hFFFF) eos_seen_q <= 1'b1;
            end
            if (bad_pkt && !skip_now) st_bad_q <= st_bad_q + 32'd1;
            if (seqd && drop && !skip_now) st_dups_q <= st_dups_q + 32'd1;
            // count mismatch one cycle after the packet end, from the registered counts
            mism_chk_q <= pkt_end && !bad_pkt && !skip_now;
            if (mism_chk_q && hdr_cnt_q != 16'hFFFF && nseq_q != hdr_cnt_q)
                st_mism_q <= st_mism_q + 32'd1;
        end
    end

    assign s_axis_tready = enable && !in_valid_q;

    assign m_valid    = out_valid_q;
    assign m_data     = out_data_q;
    assign m_len      = out_len_q;
    assign m_trunc    = out_trunc_q;
    assign m_has_type = out_has_type_q;
    assign m_ctrl     = out_ctrl_q;
    assign m_seq      = out_seq_q;
    assign m_t_offer  = out_toff_q;
    assign m_t_last   = out_tlast_q;

    assign stat_packets        = st_pkts_q;
    assign stat_bad_packets    = st_bad_q;
    assign stat_gaps           = st_gaps_q;
    assign stat_dups           = st_dups_q;
    assign stat_count_mismatch = st_mism_q;
    assign stat_tkeep          = st_tkeep_q;
    assign gap_seen            = gap_seen_q;
    assign eos_seen            = eos_seen_q;
    assign next_seq            = exp_seq_q;
    assign idle                = !in_valid_q && !out_valid_q && hdr_q && !gap_chk_q && !mism_chk_q && !discard_q;
endmodule
`default_nettype wire
