// MoldUDP64 front end on a 64-bit AXI-Stream.
//
// One MoldUDP64 packet per AXI-Stream packet (tlast on its final beat). Byte 0 of the
// packet is tdata[7:0] of the first beat; tkeep must be contiguous from lane 0 (any beat
// may be partial, a beat with tkeep = 0 is allowed). Packet layout: session (10 bytes),
// sequence number of the first message (8, big-endian), message count (2), then message
// blocks: a 2-byte big-endian length and that many bytes, packed across beat boundaries.
//
// Output: one token per message block, holding the first MSG_BYTES bytes of the message,
// its declared length and its sequence number. Sequencing (spec sections 2 and 9):
//  * a block of length 0 is ignored (no seq);
//  * a block of length 20 whose type byte is '~' is a control message: it takes no seq
//    and `count` in the header does not include it;
//  * every other block takes the next seq, starting at the header's sequence number;
//  * a block cut short by the end of the packet is TRUNCATED and still takes a seq
//    (m_trunc = 1, m_len = declared length, or 0 when the length prefix itself is cut).
// Gap detection: a header sequence number above the next expected one counts a gap (the
// messages are still processed). Messages below the next expected seq are duplicates
// (retransmissions) and are dropped, and so is a control block sitting among them.
//
// Throughput: one beat per cycle while at most one message ends in the beat; a beat that
// holds the end of a second message (only blocks shorter than 7 bytes do that) takes an
// extra cycle per extra message. Latency: a beat is processed in the cycle it is accepted
// (the message token is registered at the end of that cycle); the input register only
// holds a beat that could not be finished in its cycle, and tready is low while it does.
// Logic depth: the bytes still needed by a block whose length is known are registered
// (rem_q), the completion test on a length read from the beat only compares a short length,
// whether a second block fits is precomputed for every start lane, and the gap and
// count-mismatch counters compare registered values one cycle after the header / packet
// end (idle stays low until they have).
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
    reg [3:0]   lp_q;        // first unconsumed lane of the current beat
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

    reg [31:0] st_pkts_q, st_bad_q, st_gaps_q, st_dups_q, st_mism_q;
    reg        gap_seen_q, eos_seen_q;

    // ---------------------------------------------------------------- next-state logic
    reg [7:0]   d [0:7];
    reg [3:0]   avail, avail2, cc1, e1c;
    reg [7:0]   fit_at;
    reg         known1, comp1, known2, fits2, defer2, start2, stall_rest;
    reg [16:0]  need1;
    reg [15:0]  len1;
    reg [7:0]   b0, b1, b2, b3;
    reg         pos_ge2, pos_ge4, rem_small;
    reg [4:0]   psum_lo;
    reg         psum_ge2, psum_ge3, psum_nz;
    reg [16:0]  pos_sum;
    reg         proceed, beat_done;
    reg         hdr_done, msg_done, trunc_ev, bad_pkt, pkt_end;
    reg [BUF_W-1:0] buf1, buf2;
    reg [15:0]  len_m;
    reg [7:0]   typ;
    reg         is_zero, is_ctrl, seqd, drop;
    reg [63:0]  hseq;
    reg [15:0]  hcnt;
    reg [63:0]  blk_toff;
    reg [5:0]   pos6;
    reg [7:0]   k1 [0:7];
    reg [7:0]   act1;
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

    function [3:0] popcount8(input [7:0] v);
        integer b;
        begin
            popcount8 = 4'd0;
            for (b = 0; b < 8; b = b + 1) popcount8 = popcount8 + {3'd0, v[b]};
        end
    endfunction

    wire out_free = !out_valid_q || m_ready;
    wire in_hs    = s_axis_tvalid && s_axis_tready;

    // the beat processed in this cycle: the held one, else the one being accepted
    wire        cur_valid = in_valid_q || in_hs;
    wire [63:0] cur_data  = in_valid_q ? in_data_q : s_axis_tdata;
    wire [3:0]  cur_n     = in_valid_q ? in_n_q : popcount8(s_axis_tkeep);
    wire        cur_last  = in_valid_q ? in_last_q : s_axis_tlast;
    wire [63:0] cur_toff  = in_valid_q ? in_toff_q : (offer_pend_q ? offer_t_q : cycle);
    wire [63:0] cur_tacc  = in_valid_q ? in_tacc_q : cycle;


    always @(*) begin
        for (j = 0; j < 8; j = j + 1) d[j] = cur_data[8*j +: 8];
        avail = (cur_n > lp_q) ? (cur_n - lp_q) : 4'd0;

        // ---- part 1: the block in progress, from lane lp. The compare of the bytes still
        // needed against the lanes left is kept shallow: once the length is known the count
        // is registered (rem_q); otherwise the length bytes come from this beat and only a
        // short length (< 16) can complete here.
        b0      = d[lp_q[2:0]];
        b1      = d[lp_q[2:0] + 3'd1];
        pos_ge2 = |pos_q[16:1];
        pos_ge4 = |pos_q[16:2];
        rem_small = ~|rem_q[16:4];
        known1  = 1'b0;
        comp1   = 1'b0;
        cc1     = rem_q[3:0];
        len1    = nlen_q;
        need1   = rem_q;
        if (hdr_q || pos_ge2) begin
            known1 = 1'b1;
            comp1  = rem_small && (rem_q[3:0] <= avail);
        end else if (pos_q[0]) begin
            known1 = (avail >= 4'd1);
            len1   = {lenhi_q, b0};
            need1  = {1'b0, len1} + 17'd1;
            comp1  = known1 && (lenhi_q == 8'd0) && (b0[7:4] == 4'd0) && (b0[3:0] < avail);
            cc1    = b0[3:0] + 4'd1;
        end else begin
            known1 = (avail >= 4'd2);
            len1   = {b0, b1};
            need1  = {1'b0, len1} + 17'd2;
            comp1  = known1 && (b0 == 8'd0) && (b1[7:4] == 4'd0)
                     && ({1'b0, b1[3:0]} + 5'd2 <= {1'b0, avail});
            cc1    = b1[3:0] + 4'd2;
        end
        comp1 = comp1 && cur_valid;
        e1c   = lp_q + cc1;   // where the block ends if it completes (e1 when comp1)
        // bytes consumed after this beat when the block does not complete (its only use)
        pos_sum = pos_q + {13'd0, avail};
        // pos_sum against small constants without the 17-bit adder
        psum_lo  = {3'd0, pos_q[1:0]} + {1'b0, avail};
        psum_ge2 = pos_ge4 || (psum_lo >= 5'd2);
        psum_ge3 = pos_ge4 || (psum_lo >= 5'd3);
        psum_nz  = (pos_q != 17'd0) || (avail != 4'd0);

        // message-buffer offset of each lane: pos + (lane - lp) - prefix; positions past 63
        // never reach the buffer, so 8-bit arithmetic suffices
        pos6 = (pos_q > 17'd63) ? 6'd63 : pos_q[5:0];
        for (j = 0; j < 8; j = j + 1) begin
            k1[j]  = {2'b00, pos6} + j[7:0] - {4'd0, lp_q} - (hdr_q ? 8'd0 : 8'd2);
            // lanes of the block: up to e1c when it completes, else up to cur_n
            act1[j] = (j[3:0] >= lp_q) && !k1[j][7] && (comp1 ? (j[3:0] < e1c) : (j[3:0] < cur_n));
        end
        buf1 = buf_q;
        for (k = 0; k < MSG_BYTES; k = k + 1)
            for (j = 0; j < 8; j = j + 1)
                if (act1[j] && k1[j] == k[7:0]) buf1[8*k +: 8] = d[j];

        // ---- part 2: a new block starting at lane e1c in the same beat (everything here
        // only counts when comp1); whether the block also fits in the beat
        // is precomputed for every start lane)
        avail2 = (cur_n > e1c) ? (cur_n - e1c) : 4'd0;
        known2 = (avail2 >= 4'd2);
        b2     = d[e1c[2:0]];
        b3     = d[e1c[2:0] + 3'd1];
        for (j = 0; j < 7; j = j + 1)
            fit_at[j] = (d[j] == 8'd0) && (d[j + 1][7:4] == 4'd0)
                        && ({1'b0, d[j + 1][3:0]} + 5'd2 + j[4:0] <= {1'b0, cur_n});
        fit_at[7] = 1'b0;
        fits2  = !e1c[3] && fit_at[e1c[2:0]];
        defer2 = fits2 || cur_last;
        stall_rest = comp1 && (avail2 != 4'd0) && defer2;
        start2     = comp1 && (avail2 != 4'd0) && !defer2;

        // the new block's message bytes: byte k is lane e1c + 2 + k, selected by a
        // decode of e1c (no offset arithmetic on the path)
        buf2 = {BUF_W{1'b0}};
        for (k = 0; k < 6; k = k + 1)
            for (j = 0; j < 6 - k; j = j + 1)
                if (e1c == j[3:0] && (j[3:0] + k[3:0] + 4'd2 < cur_n)) buf2[8*k +: 8] = d[j + k + 2];

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
        // a 20-byte message ends at least 19 bytes after its type byte, so when one ends
        // in this beat its type byte arrived in an earlier beat
        typ     = buf_q[7:0];
        is_zero = msg_done && (len_m == 16'd0);
        is_ctrl = msg_done && (len_m == `RG_CTRL_LEN) && (typ == `RG_ASCII_TILDE);
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

        if (proceed) begin
            if (comp1) begin
                hdr_d = 1'b0;
                pos_d = 17'd0;
                buf_d = {BUF_W{1'b0}};
                if (start2) begin
                    pos_d      = {13'd0, avail2};
                    lenhi_d    = b2;
                    if (known2) begin
                        nlen_d = {b2, b3};
                        rem_d  = {1'b0, b2, b3} + 17'd2 - {13'd0, avail2};
                    end
                    buf_d      = buf2;
                    blk_toff_d = cur_toff;
                end
            end else begin
                pos_d      = pos_sum;
                buf_d      = buf1;
                blk_toff_d = blk_toff;
                rem_d      = need1 - {13'd0, avail};
                if (pos_q == 17'd0 && avail >= 4'd1) lenhi_d = b0;
                if (!hdr_q && !pos_ge2 && known1) nlen_d = len1;
            end
            lp_d = stall_rest ? e1c : 4'd0;

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
                hdr_d = 1'b1;
                pos_d = 17'd0;
                buf_d = {BUF_W{1'b0}};
                lp_d  = 4'd0;
                rem_d = 17'd20;
            end
        end

    end

    // ---------------------------------------------------------------- registers
    always @(posedge clk) begin
        if (rst) begin
            in_valid_q   <= 1'b0;
            in_data_q    <= 64'd0;
            in_n_q       <= 4'd0;
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
            buf_q        <= {BUF_W{1'b0}};
            blk_toff_q   <= 64'd0;
            cur_seq_q    <= 64'd1;
            exp_seq_q    <= 64'd1;
            hdr_cnt_q    <= 16'd0;
            nseq_q       <= 16'd0;
            rem_q        <= 17'd20;
            gap_chk_q    <= 1'b0;
            mism_chk_q   <= 1'b0;
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
            gap_seen_q   <= 1'b0;
            eos_seen_q   <= 1'b0;
        end else begin
            // skid register: keeps a beat that was not finished in its cycle
            if (in_valid_q) begin
                if (beat_done) in_valid_q <= 1'b0;
            end else if (in_hs && !beat_done) begin
                in_valid_q <= 1'b1;
                in_data_q  <= s_axis_tdata;
                in_n_q     <= popcount8(s_axis_tkeep);
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

            hdr_q      <= hdr_d;
            pos_q      <= pos_d;
            lenhi_q    <= lenhi_d;
            nlen_q     <= nlen_d;
            lp_q       <= lp_d;
            buf_q      <= buf_d;
            blk_toff_q <= blk_toff_d;
            cur_seq_q  <= cur_seq_d;
            exp_seq_q  <= exp_seq_d;
            hdr_cnt_q  <= hdr_cnt_d;
            nseq_q     <= nseq_d;
            rem_q      <= rem_d;

            if (m_ready) out_valid_q <= 1'b0;
            if ((msg_done || trunc_ev) && !drop) begin
                out_valid_q    <= 1'b1;
                out_data_q     <= buf1;
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
            gap_chk_q <= hdr_done;
            if (gap_chk_q && cur_seq_q > exp_seq_q) begin
                st_gaps_q  <= st_gaps_q + 32'd1;
                gap_seen_q <= 1'b1;
            end
            if (hdr_done) begin
                st_pkts_q <= st_pkts_q + 32'd1;
                if (hcnt == 16'hFFFF) eos_seen_q <= 1'b1;
            end
            if (bad_pkt) st_bad_q <= st_bad_q + 32'd1;
            if (seqd && drop) st_dups_q <= st_dups_q + 32'd1;
            // count mismatch one cycle after the packet end, from the registered counts
            mism_chk_q <= pkt_end && !bad_pkt;
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
    assign gap_seen            = gap_seen_q;
    assign eos_seen            = eos_seen_q;
    assign next_seq            = exp_seq_q;
    assign idle                = !in_valid_q && !out_valid_q && hdr_q && !gap_chk_q && !mism_chk_q;
endmodule
`default_nettype wire
