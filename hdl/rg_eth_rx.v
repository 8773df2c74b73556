// Ethernet/IPv4/UDP receive front end on a 64-bit AXI-Stream (spec section 17), in front of
// rg_moldudp64_rx: one Ethernet frame per input AXI-Stream packet (no FCS, byte 0 = the first
// byte of the destination MAC in tdata[7:0] of the first beat), the UDP payload of every frame
// it keeps out as one AXI-Stream packet (byte 0 in lane 0), nothing of a dropped one. A frame
// to the market-data port (cfg_port) goes out on m_axis (to the MoldUDP64 front end); one to
// the order-entry port (cfg_order_port, spec section 18.7), whose payload must be one 36-byte
// `{` or 32-byte `}` frame, goes out whole in one transfer on m_oframe (to rg_order_rx), in
// the same order: the frame is taken from the header register (which holds the first 128
// bytes, enough for an order frame behind the longest headers), so it is out two cycles after
// its last beat (when the sender is free) instead of being read back beat by beat.
//
// Store and forward (a frame can only be judged at its end: its total length, and the runt
// rule, need the last beat), with two frame buffers so that the next frame is received while
// the last kept one is sent. The receiver: RECV writes the beats into its buffer and keeps the
// first HDR_BEATS beats in a register; EVAL takes two cycles (the IPv4 window is selected and
// registered, then the rules are checked in the spec's order, the first failing one being the
// drop reason); a kept frame is handed to the sender (WAIT while the sender still sends the
// one before) and the receiver moves to the other buffer. For the clock, EVAL1 registers
// every rule's own test (from the header register, the IPv4 window selected by the tag) and
// EVAL2 only takes the first failing rule, the checksum (a running sum over the beats, see
// below) and the filter compares; the counters count the judged frame one cycle later. The sender reads the payload back,
// realigned to lane 0 from two adjacent buffer words. s_axis_tready is low outside RECV. A kept
// frame waits (WAIT) while the one before it is still out, on either output, so the frames leave
// in arrival order. The order frame's stamps are the cycles (input `cycle`) its Ethernet frame's
// first and last beats were accepted.
//
// Input: every beat but the last carries 8 bytes (tkeep 0xFF, a 64-bit MAC's framing) and the
// last beat's tkeep is contiguous from lane 0 (2^n - 1, n = 0..8). A frame with any other tkeep
// cannot come from the byte stream both engines share: it is refused whole (nothing of it
// goes on) and counted in stat_tkeep only, not in stat_frames (a card-only fault, spec
// section 17). A beat's bytes are its lanes up to the first clear tkeep bit.
`default_nettype none
`include "rg_contract.vh"
module rg_eth_rx #(
    parameter integer MAX_FRAME = `RG_ETH_MAX_FRAME,
    parameter integer MIN_FRAME = `RG_ETH_MIN_FRAME,
    parameter integer BUF_BEATS = 192,
    parameter integer DROPS     = `RG_ETH_DROPS
) (
    input  wire               clk,
    input  wire               rst,

    input  wire [63:0]        s_axis_tdata,
    input  wire [7:0]         s_axis_tkeep,
    input  wire               s_axis_tvalid,
    output wire               s_axis_tready,
    input  wire               s_axis_tlast,

    output wire [63:0]        m_axis_tdata,
    output wire [7:0]         m_axis_tkeep,
    output wire               m_axis_tvalid,
    input  wire               m_axis_tready,
    output wire               m_axis_tlast,

    // the order-entry frame, whole (one `{`/`}` frame, byte i in bits 8i+7:8i; bytes past
    // m_oframe_len are not the frame's), with its Ethernet frame's stamps
    input  wire [63:0]        cycle,
    output wire               m_oframe_valid,
    input  wire               m_oframe_ready,
    output wire [287:0]       m_oframe_data,
    output wire [5:0]         m_oframe_len,       // 36 or 32
    output wire [63:0]        m_oframe_t_first,   // cycle its first beat was accepted
    output wire [63:0]        m_oframe_t_last,    // cycle its last beat was accepted

    input  wire [31:0]        cfg_group,
    input  wire [15:0]        cfg_port,
    input  wire [15:0]        cfg_order_port,

    output wire [31:0]        stat_frames,
    output wire [31:0]        stat_accepted,
    output wire [DROPS*32-1:0] stat_drops,
    output wire [31:0]        stat_orders,   // frames kept for the order-entry port
    output wire [31:0]        stat_tkeep,    // frames refused for their tkeep (not in stat_frames)
    output wire               idle
);
    localparam integer HDR_BEATS = 16;              // 128 bytes: up to the end of an order frame behind IHL 15 + a tag (122)
    localparam integer HDR_W     = HDR_BEATS * 64;
    localparam integer WIN_BYTES = 20;              // the IPv4 header's fixed part
    localparam integer WIN_W     = WIN_BYTES * 8;

    initial begin
        if (BUF_BEATS * 8 < MAX_FRAME + 8 || BUF_BEATS > 255) begin  // rd_w + 1 stays in its bank
            $error("rg_eth_rx: BUF_BEATS = %0d must hold MAX_FRAME = %0d bytes plus a beat, and be <= 255 (instance %m)", BUF_BEATS, MAX_FRAME);
            $finish;
        end
        if (MIN_FRAME < 60 || DROPS != `RG_ETH_DROPS) begin
            $error("rg_eth_rx: MIN_FRAME = %0d below 60 or DROPS = %0d not the contract's (instance %m)", MIN_FRAME, DROPS);
            $finish;
        end
    end

    localparam [1:0] S_RECV = 2'd0, S_EVAL1 = 2'd1, S_EVAL2 = 2'd2, S_WAIT = 2'd3;

    // ---------------------------------------------------------------- state
    reg [1:0]       state_q;
    reg [63:0]      mem [0:2*256-1];  // two buffers of BUF_BEATS (<= 256) beats: {bank, beat}
    reg             wbank_q;     // the receiver's buffer
    reg             rbank_q;     // the sender's buffer
    reg             send_q;      // the sender is sending a payload
    reg [HDR_W-1:0] hdr_q;
    reg [7:0]       beat_q;      // beats of the frame received so far (saturates)
    reg [11:0]      len_q;       // bytes received (saturates at 4095)
    reg             in_frame_q;  // a frame has started
    reg             keep_bad_q;  // a beat's tkeep broke the input rule (refused whole)
    // the IPv4 header checksum as a running sum over the beats as they arrive (so it is ready
    // when the frame is judged): header word j (bytes 2j, 2j+1 of the frame; l3 is even) is
    // counted when l3/2 <= j < l3/2 + 2*IHL. Beat 1 holds the first EtherType and (untagged)
    // the IHL, beat 2 (tagged) the IHL: the bounds are registered from them before beat 4,
    // the first beat whose words depend on the IHL (the header has at least 10 words).
    reg             vlan_q;      // beat 1's EtherType is 0x8100 (valid from beat 2)
    reg [3:0]       ihl_nv_q;    // beat 1's byte 14, low nibble (the untagged IHL)
    reg [5:0]       hend_q;      // l3/2 + 2*IHL: the first word past the header (from beat 3)
    reg [17:0]      bsum_q;      // the counted words of the last accepted beat
    reg             bsum_v_q;
    reg [20:0]      acc_q;       // the sum of the counted words so far (30 words < 2^21)
    // EVAL1 results: the rules' tests, the filter's fields, the payload's place
    reg             size_bad_q, oversize_q, type_bad_q;
    reg             ip_bad_q, frag_q, not_udp_q, udp_len_bad_q;
    reg [31:0]      dst_q;
    reg [15:0]      udp_port_q;
    reg [7:0]       pay0_q;      // the payload's first byte (the frame type of an order datagram)
    reg [10:0]      kept_off_q, kept_rem_q;
    // the judged frame, counted one cycle after EVAL2
    reg             cnt_v_q;
    reg [3:0]       cnt_drop_q;
    reg             cnt_order_q; // the judged frame was kept for the order-entry port
    reg             cnt_tkeep_q; // a frame was refused for its tkeep
    // EVAL2 results / SEND
    reg [10:0]      off_q;       // byte offset of the payload still to send
    reg [10:0]      rem_q;       // payload bytes still to send
    reg [7:0]       rd_w1_q;     // off_q[10:3] + 1: the second buffer word the sender reads
    reg [10:0]      p_off_q;     // a kept frame waiting for the sender (WAIT)
    reg [10:0]      p_rem_q;
    reg             p_route_q;   // the waiting frame goes to m_oframe
    // the order-entry output and the stamps
    reg             ov_q;        // m_oframe holds a frame
    reg [287:0]     opay_q;
    reg [5:0]       olen_q;
    reg [63:0]      t_first_q, t_last_q, ot_first_q, ot_last_q;
    reg [31:0]      st_frames_q, st_acc_q, st_orders_q, st_tkeep_q;
    reg [31:0]      st_drop_q [0:DROPS-1];

    // ---------------------------------------------------------------- input
    wire in_hs = s_axis_tvalid && (state_q == S_RECV);
    reg [3:0] nbytes;
    integer i;
    always @(*) begin
        nbytes = 4'd0;
        for (i = 7; i >= 0; i = i - 1)
            if (!s_axis_tkeep[i]) nbytes = i[3:0];
        if (s_axis_tkeep == 8'hFF) nbytes = 4'd8;
    end
    // the tkeep rule: all eight lanes before the last beat, contiguous from lane 0 in it
    wire keep_bad = s_axis_tlast ? |(s_axis_tkeep[7:1] & ~s_axis_tkeep[6:0])
                                 : (s_axis_tkeep != 8'hFF);

    // ---------------------------------------------------------------- EVAL1: L2 and the IPv4 window
    function [15:0] hdr16(input [HDR_W-1:0] h, input integer at);
        hdr16 = {h[at*8 +: 8], h[(at+1)*8 +: 8]};
    endfunction

    wire [15:0] et0 = hdr16(hdr_q, 12);
    wire [15:0] et1 = hdr16(hdr_q, 16);
    wire        vlan_tag = (et0 == 16'h8100);
    wire        is_ip  = (et0 == 16'h0800) || (vlan_tag && et1 == 16'h0800);

    // ---------------------------------------------------------------- EVAL1: the rules' tests
    // the IPv4 window from l3 (the tag is vlan_q, registered from the same bytes at beat 1)
    wire [WIN_W-1:0] win = vlan_q ? hdr_q[18*8 +: WIN_W] : hdr_q[14*8 +: WIN_W];
    function [15:0] win16(input [WIN_W-1:0] w, input integer at);
        win16 = {w[at*8 +: 8], w[(at+1)*8 +: 8]};
    endfunction

    wire [3:0]  version = win[7:4];
    wire [3:0]  ihl     = win[3:0];
    wire [5:0]  hlen    = {ihl, 2'b00};
    wire [15:0] total   = win16(win, 2);
    wire [15:0] fragw   = win16(win, 6);
    wire [7:0]  proto   = win[9*8 +: 8];
    wire [31:0] dst     = {win[16*8 +: 8], win[17*8 +: 8], win[18*8 +: 8], win[19*8 +: 8]};
    wire [4:0]  l3      = vlan_q ? 5'd18 : 5'd14;
    // the UDP header starts at l3 + 4*IHL = 2*hend_q (hend_q is odd, 7..39): its port and
    // length are words hend_q + 1 and hend_q + 2 of the header register
    reg  [15:0] udp_port, udp_len;
    reg  [7:0]  pay0;
    integer h;
    always @(*) begin
        udp_port = 16'd0;
        udp_len  = 16'd0;
        pay0     = 8'd0;
        for (h = 7; h <= 39; h = h + 2)
            if (hend_q == h[5:0]) begin
                udp_port = hdr16(hdr_q, 2 * h + 2);
                udp_len  = hdr16(hdr_q, 2 * h + 4);
                pay0     = hdr_q[(2 * h + 8) * 8 +: 8];   // byte 86 at most: within hdr_q
            end
    end
    wire [16:0] l3_end     = {12'd0, l3} + {1'b0, total};
    wire [15:0] ip_payload = total - {10'd0, hlen};

    // the running sum's words of the beat being accepted (beat_q counts the beats before it)
    wire [9:0]  beat_j0   = {beat_q, 2'b00};   // the beat's first word index
    wire        in_vlan   = (s_axis_tdata[47:32] == 16'h0081);   // bytes 12, 13 = 0x81, 0x00
    reg  [3:0]  w_in;      // which of the beat's 4 words are header words
    reg  [17:0] beat_sum;
    integer k;
    always @(*) begin
        for (k = 0; k < 4; k = k + 1) begin
            if (beat_q == 8'd0)      w_in[k] = 1'b0;                           // words 0-3
            else if (beat_q == 8'd1) w_in[k] = (k == 3) && !in_vlan;           // word 7
            else if (beat_q == 8'd2) w_in[k] = (k != 0) || !vlan_q;            // words 8-11
            else if (beat_q == 8'd3) w_in[k] = 1'b1;                           // words 12-15
            else                     w_in[k] = (beat_q < 8'd12) && (beat_j0 + k[9:0] < {4'd0, hend_q});
        end
        beat_sum = ({2'd0, w_in[0] ? {s_axis_tdata[7:0],   s_axis_tdata[15:8]}  : 16'd0}
                  + {2'd0, w_in[1] ? {s_axis_tdata[23:16], s_axis_tdata[31:24]} : 16'd0})
                 + ({2'd0, w_in[2] ? {s_axis_tdata[39:32], s_axis_tdata[47:40]} : 16'd0}
                  + {2'd0, w_in[3] ? {s_axis_tdata[55:48], s_axis_tdata[63:56]} : 16'd0});
    end
    // the one's-complement sum is 0xFFFF iff fold(acc) = acc[15:0] + acc[20:16] = 0xFFFF (the
    // second fold's carry cannot give 0xFFFF), i.e. acc[15:0] = ~acc[20:16]: no adder
    wire csum_ok = (acc_q[15:0] == ~{11'd0, acc_q[20:16]});

    // ---------------------------------------------------------------- EVAL2: the first failing rule
    // an order-entry datagram (the market-data port wins when both ports are equal) carries one
    // whole `{` frame of 36 bytes or `}` frame of 32 bytes
    wire        to_order    = (udp_port_q != cfg_port);
    wire        order_shape = (pay0_q == `RG_OFRM_TYPE && {5'd0, kept_rem_q} == `RG_OFRM_LEN) ||
                              (pay0_q == `RG_VFRM_TYPE && {5'd0, kept_rem_q} == `RG_VFRM_LEN);
    reg  [3:0]  drop;       // 0: kept
    always @(*) begin
        if (size_bad_q)                                                  drop = `RG_ETH_DROP_RUNT;
        else if (oversize_q)                                             drop = `RG_ETH_DROP_OVERSIZE;
        else if (type_bad_q)                                             drop = `RG_ETH_DROP_NOT_IPV4;
        else if (ip_bad_q)                                               drop = `RG_ETH_DROP_IP_HEADER;
        else if (!csum_ok)                                               drop = `RG_ETH_DROP_IP_CHECKSUM;
        else if (frag_q)                                                 drop = `RG_ETH_DROP_FRAGMENT;
        else if (not_udp_q)                                              drop = `RG_ETH_DROP_NOT_UDP;
        else if (udp_len_bad_q)                                          drop = `RG_ETH_DROP_UDP_LENGTH;
        else if (dst_q != cfg_group)                                     drop = `RG_ETH_DROP_OTHER_GROUP;
        else if (udp_port_q != cfg_port && udp_port_q != cfg_order_port) drop = `RG_ETH_DROP_OTHER_PORT;
        else if (to_order && !order_shape)                               drop = `RG_ETH_DROP_ORDER_FRAME;
        else                                                             drop = 4'd0;
    end
    // kept: no rule failed and the beats kept the tkeep rule (a tkeep fault is no drop reason)
    wire keep_it = (drop == 4'd0) && !keep_bad_q;

    // ---------------------------------------------------------------- output (realigned payload)
    wire [7:0]   rd_w   = off_q[10:3];
    wire [2:0]   rd_sh  = off_q[2:0];
    wire [7:0]   rd_w1  = rd_w1_q;   // rd_w + 1, registered (no carry chain before the read)
    wire [63:0]  rd_lo  = mem[{rbank_q, rd_w}];
    wire [63:0]  rd_hi  = mem[{rbank_q, rd_w1}];
    wire [127:0] rd_two = {rd_hi, rd_lo} >> {rd_sh, 3'b000};
    wire         out_last = (rem_q <= 11'd8);
    wire [7:0]   out_keep = out_last ? ((8'd1 << rem_q[3:0]) - 8'd1) : 8'hFF;
    reg  [63:0]  out_data;
    integer b;
    always @(*) begin
        for (b = 0; b < 8; b = b + 1) out_data[b*8 +: 8] = out_keep[b] ? rd_two[b*8 +: 8] : 8'd0;
    end
    wire out_hs = send_q && m_axis_tready;
    // a kept frame starts on its output when neither output holds an earlier one (EVAL2, or later
    // from WAIT)
    wire [10:0] kept_off = kept_off_q;
    wire [10:0] kept_rem = kept_rem_q;
    wire        busy     = send_q || ov_q;
    wire        start    = !busy && ((state_q == S_EVAL2 && keep_it) || state_q == S_WAIT);
    wire        start_oe = (state_q == S_WAIT) ? p_route_q : to_order;

    // ---------------------------------------------------------------- the order frame
    // from the header register: its payload starts at byte 2*hend_q + 8 (42..86: hend_q is odd,
    // 17..39, for IHL >= 5; a frame with a smaller IHL is never kept). hdr_q holds the judged
    // frame from EVAL1 until the receiver takes the next frame (after EVAL2 or WAIT), and the
    // length rules have shown that a kept frame's payload bytes exist.
    reg [287:0] ofr;
    integer q;
    always @(*) begin
        ofr = 288'd0;
        for (q = 17; q <= 39; q = q + 2)
            ofr = ofr | ({288{hend_q == q[5:0]}} & hdr_q[(2 * q + 8) * 8 +: 288]);
    end

    // ---------------------------------------------------------------- next state
    integer d;
    always @(posedge clk) begin
        if (in_hs && beat_q < BUF_BEATS[7:0]) mem[{wbank_q, beat_q}] <= s_axis_tdata;
    end

    always @(posedge clk) begin
        if (rst) begin
            state_q     <= S_RECV;
            hdr_q       <= {HDR_W{1'b0}};
            beat_q      <= 8'd0;
            len_q       <= 12'd0;
            in_frame_q  <= 1'b0;
            keep_bad_q  <= 1'b0;
            vlan_q      <= 1'b0;
            ihl_nv_q    <= 4'd0;
            hend_q      <= 6'd0;
            bsum_q      <= 18'd0;
            bsum_v_q    <= 1'b0;
            acc_q       <= 21'd0;
            size_bad_q  <= 1'b0;
            oversize_q  <= 1'b0;
            type_bad_q  <= 1'b0;
            ip_bad_q    <= 1'b0;
            frag_q      <= 1'b0;
            not_udp_q   <= 1'b0;
            udp_len_bad_q <= 1'b0;
            dst_q       <= 32'd0;
            udp_port_q  <= 16'd0;
            pay0_q      <= 8'd0;
            kept_off_q  <= 11'd0;
            kept_rem_q  <= 11'd0;
            cnt_v_q     <= 1'b0;
            cnt_drop_q  <= 4'd0;
            cnt_order_q <= 1'b0;
            cnt_tkeep_q <= 1'b0;
            off_q       <= 11'd0;
            rem_q       <= 11'd0;
            rd_w1_q     <= 8'd1;
            p_off_q     <= 11'd0;
            p_rem_q     <= 11'd0;
            p_route_q   <= 1'b0;
            ov_q        <= 1'b0;
            opay_q      <= 288'd0;
            olen_q      <= 6'd0;
            t_first_q   <= 64'd0;
            t_last_q    <= 64'd0;
            ot_first_q  <= 64'd0;
            ot_last_q   <= 64'd0;
            wbank_q     <= 1'b0;
            rbank_q     <= 1'b0;
            send_q      <= 1'b0;
            st_frames_q <= 32'd0;
            st_acc_q    <= 32'd0;
            st_orders_q <= 32'd0;
            st_tkeep_q  <= 32'd0;
            for (d = 0; d < DROPS; d = d + 1) st_drop_q[d] <= 32'd0;
        end else begin
            case (state_q)
                S_RECV: if (in_hs) begin
                    if (beat_q < HDR_BEATS[7:0]) hdr_q[beat_q[3:0]*64 +: 64] <= s_axis_tdata;
                    if (beat_q == 8'd1) begin
                        vlan_q   <= in_vlan;
                        ihl_nv_q <= s_axis_tdata[51:48];
                    end
                    if (beat_q == 8'd2)
                        hend_q <= vlan_q ? 6'd9 + {1'b0, s_axis_tdata[19:16], 1'b0}
                                         : 6'd7 + {1'b0, ihl_nv_q, 1'b0};
                    if (beat_q != 8'hFF) beat_q <= beat_q + 8'd1;
                    len_q      <= (len_q > 12'd4087) ? 12'd4095 : len_q + {8'd0, nbytes};
                    in_frame_q <= 1'b1;
                    if (beat_q == 8'd0) t_first_q <= cycle;
                    if (s_axis_tlast) t_last_q <= cycle;
                    if (keep_bad) keep_bad_q <= 1'b1;
                    if (s_axis_tlast) state_q <= S_EVAL1;
                end
                S_EVAL1: begin
                    // bytes past the frame's end in hdr_q are stale: the rules below read only
                    // bytes the length checks have shown to exist (min frame 60 covers L2 and 20
                    // bytes of IPv4; IP_HEADER's total-length check covers the rest)
                    size_bad_q <= len_q < MIN_FRAME[11:0];
                    oversize_q <= len_q > MAX_FRAME[11:0];
                    type_bad_q <= !is_ip;
                    ip_bad_q   <= version != 4'd4 || ihl < 4'd5 || total < {10'd0, hlen} || l3_end > {5'd0, len_q};
                    frag_q     <= fragw[13:0] != 14'd0;
                    not_udp_q  <= proto != 8'd17;
                    udp_len_bad_q <= ip_payload < 16'd8 || udp_len != ip_payload;
                    dst_q      <= dst;
                    udp_port_q <= udp_port;
                    pay0_q     <= pay0;
                    kept_off_q <= {6'd0, l3} + {5'd0, hlen} + 11'd8;
                    kept_rem_q <= ip_payload[10:0] - 11'd8;
                    state_q    <= S_EVAL2;
                end
                S_EVAL2: begin
                    acc_q       <= 21'd0;   // the last beat's words were added in EVAL1
                    beat_q      <= 8'd0;
                    len_q       <= 12'd0;
                    in_frame_q  <= 1'b0;
                    keep_bad_q  <= 1'b0;
                    if (!keep_it) begin
                        state_q <= S_RECV;
                    end else begin
                        p_off_q   <= kept_off;
                        p_rem_q   <= kept_rem;
                        p_route_q <= to_order;
                        if (!busy) begin
                            rbank_q <= wbank_q;
                            wbank_q <= !wbank_q;
                            state_q <= S_RECV;
                        end else begin
                            state_q <= S_WAIT;
                        end
                    end
                end
                S_WAIT: if (!busy) begin
                    rbank_q <= wbank_q;
                    wbank_q <= !wbank_q;
                    state_q <= S_RECV;
                end
                default: state_q <= S_RECV;
            endcase
            // the counters, one cycle after the frame was judged
            cnt_v_q     <= (state_q == S_EVAL2) && !keep_bad_q;
            cnt_tkeep_q <= (state_q == S_EVAL2) && keep_bad_q;
            cnt_drop_q  <= drop;
            cnt_order_q <= to_order;
            if (cnt_v_q) st_frames_q <= st_frames_q + 32'd1;
            if (cnt_v_q && cnt_drop_q == 4'd0) st_acc_q <= st_acc_q + 32'd1;
            if (cnt_v_q && cnt_drop_q == 4'd0 && cnt_order_q) st_orders_q <= st_orders_q + 32'd1;
            if (cnt_tkeep_q) st_tkeep_q <= st_tkeep_q + 32'd1;
            for (d = 0; d < DROPS; d = d + 1)
                if (cnt_v_q && cnt_drop_q == d[3:0] + 4'd1) st_drop_q[d] <= st_drop_q[d] + 32'd1;
            // the running checksum: a beat's words are summed in the cycle it is accepted, added
            // in the next (the last beat's in EVAL1)
            bsum_v_q <= in_hs;
            if (in_hs) bsum_q <= beat_sum;
            if (bsum_v_q && state_q != S_EVAL2) acc_q <= acc_q + {3'd0, bsum_q};
            // the order-entry output: loaded while it is free in EVAL2 and WAIT (whatever the
            // verdict: only a kept order frame sets ov_q), held while it is out
            if (!ov_q && (state_q == S_EVAL2 || state_q == S_WAIT)) begin
                opay_q     <= ofr;
                olen_q     <= kept_rem_q[5:0];
                ot_first_q <= t_first_q;
                ot_last_q  <= t_last_q;
            end
            if (start && start_oe) ov_q <= 1'b1;
            else if (m_oframe_ready) ov_q <= 1'b0;
            // the sender
            if (start && !start_oe) begin
                send_q  <= 1'b1;
                off_q   <= (state_q == S_WAIT) ? p_off_q : kept_off;
                rd_w1_q <= ((state_q == S_WAIT) ? p_off_q[10:3] : kept_off[10:3]) + 8'd1;
                rem_q   <= (state_q == S_WAIT) ? p_rem_q : kept_rem;
            end else if (out_hs) begin
                off_q <= off_q + 11'd8;
                rd_w1_q <= rd_w1_q + 8'd1;
                rem_q <= out_last ? 11'd0 : rem_q - 11'd8;
                if (out_last) send_q <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------- outputs
    assign s_axis_tready = (state_q == S_RECV);
    assign m_axis_tvalid  = send_q;
    assign m_axis_tdata   = out_data;
    assign m_axis_tkeep   = out_keep;
    assign m_axis_tlast   = out_last;
    assign m_oframe_valid   = ov_q;
    assign m_oframe_data    = opay_q;
    assign m_oframe_len     = olen_q;
    assign m_oframe_t_first = ot_first_q;
    assign m_oframe_t_last  = ot_last_q;
    assign stat_frames    = st_frames_q;
    assign stat_accepted  = st_acc_q;
    assign stat_orders    = st_orders_q;
    assign stat_tkeep     = st_tkeep_q;
    genvar g;
    generate
        for (g = 0; g < DROPS; g = g + 1) begin : g_drops
            assign stat_drops[g*32 +: 32] = st_drop_q[g];
        end
    endgenerate
    assign idle = (state_q == S_RECV) && !in_frame_q && !send_q && !ov_q && !cnt_v_q && !cnt_tkeep_q;

    wire unused = ^{fragw[15:14]};
endmodule
`default_nettype wire
