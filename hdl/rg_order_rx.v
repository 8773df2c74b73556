// Order-entry input (spec section 18): the second AXI-Stream input of the pipeline, carrying
// the control plane's client order frames (`{`, 36 bytes) and venue answers (`}`, 32 bytes),
// one frame per packet, frame byte 0 in tdata[7:0] (verilog-ethernet lane order). tkeep is
// 0xFF on every beat but the last and contiguous from lane 0 in it (2^n - 1, n = 0..8); a frame
// with any other tkeep is refused whole (it never reaches the risk stage) and counted in
// stat_tkeep, a card-only counter (spec section 18.7). tuser, held over the packet, says
// where the frame sits in the merged stream: tuser[47:0] = P, the seq of the market-data
// message it precedes (last_seq + 1), and tuser[63:48] = k, the in-band control messages
// that precede it at that position.
//
// The module assembles a frame, decodes its fields, checks everything that needs no risk
// state, and releases it at its position: when the events that entered the risk stage have
// reached (P, k) — message P - 1 has entered and message P has not, nor the (k+1)-th
// control message at P. While a frame is due, md_hold keeps market data out of the risk
// stage, so the risk stage sees the merged stream in its recorded order (deterministic, by
// position only; no timing enters it). A frame behind its position (a host bug) is released
// at once and stays in order.
//
// m_fields_ok: the checks of section 18.2 item 2 that need no state (S = P, action/event,
// side, index ranges, qty, price, reserved); m_foreign: the fingerprint differs (checked
// first by the consumer); m_bad_len: not a 36-byte `{` nor a 32-byte `}` (m_type, m_len
// say what arrived). One frame is buffered: tready is low while it waits. pos_now is the
// position the risk stage has reached ({k, P} as in tuser): a frame offered with tuser =
// pos_now once the market data before it has entered the risk stage is released at once.
//
// s_frame: a whole frame in one transfer (the Ethernet input's order-entry frames, rg_eth_rx
// via riskgate_top), taken when no frame is held or being assembled and no beat is offered on
// s_axis_order (the beats win a tie); its position is pos_now (riskgate_top offers it once the
// market data before it has entered the risk stage, so it is released at once) and its stamps
// are the ones given (its Ethernet frame's beats).
`default_nettype none
`include "rg_contract.vh"
module rg_order_rx (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] cycle,          // for the latency stamps

    input  wire [63:0] cfg_fingerprint,
    input  wire [7:0]  cfg_n_symbols,
    input  wire [7:0]  cfg_n_accounts,

    input  wire [63:0] s_axis_order_tdata,
    input  wire [7:0]  s_axis_order_tkeep,
    input  wire        s_axis_order_tvalid,
    output wire        s_axis_order_tready,
    input  wire        s_axis_order_tlast,
    input  wire [63:0] s_axis_order_tuser,

    input  wire         s_frame_valid,
    output wire         s_frame_ready,
    input  wire [287:0] s_frame_data,      // byte i in bits 8i+7:8i
    input  wire [5:0]   s_frame_len,
    input  wire [63:0]  s_frame_t_first,
    input  wire [63:0]  s_frame_t_last,

    // an event enters the risk stage; md_seq_msg: it is a message with a seq (not a control)
    input  wire        md_fire,
    input  wire        md_seq_msg,
    output wire        md_hold,

    output wire        m_valid,
    input  wire        m_ready,
    output wire        m_venue,
    output wire        m_bad_len,
    output wire [7:0]  m_type,
    output wire [15:0] m_len,
    output wire        m_foreign,
    output wire        m_fields_ok,
    output wire [7:0]  m_action,       // order: action; venue: event
    output wire [7:0]  m_side,
    output wire [7:0]  m_tif,
    output wire [15:0] m_account,
    output wire [15:0] m_symbol,
    output wire [31:0] m_order_id,
    output wire [31:0] m_qty,
    output wire [31:0] m_price,
    output wire [63:0] m_seq,
    output wire [47:0] m_pos,
    output wire [63:0] m_t_first,      // cycle the frame's first beat was accepted
    output wire [63:0] m_t_last,       // cycle its last beat was accepted
    output wire [63:0] pos_now,        // {k, P} reached by the events that entered the risk stage
    output wire [31:0] stat_tkeep,     // frames refused for their tkeep
    output wire        idle
);
    localparam integer BUF_BYTES = 40;              // the longer frame, in whole beats
    localparam integer BEATS     = BUF_BYTES / 8;
    localparam [31:0]  MAX_QTY   = 32'd1_000_000;   // spec section 18.1 (order qty 1..1,000,000)
    localparam [31:0]  SLOTS     = `RG_ORDER_SLOTS;

    // ---------------------------------------------------------------- assembly
    reg [BUF_BYTES*8-1:0] buf_q;
    reg [15:0]            len_q;       // bytes so far (saturating)
    reg [2:0]             beat_q;      // beats so far (stops at BEATS: later beats only count bytes)
    reg                   full_q;      // a whole frame waits for its position
    reg [47:0]            pos_q;
    reg [15:0]            k_q;
    reg [63:0]            t_first_q, t_last_q;
    reg                   keep_bad_q;  // an earlier beat of this frame broke the tkeep rule
    reg [31:0]            st_tkeep_q;

    wire       beat = s_axis_order_tvalid && s_axis_order_tready;
    assign s_axis_order_tready = !full_q;
    assign s_frame_ready = !full_q && len_q == 16'd0 && !keep_bad_q && !s_axis_order_tvalid;
    wire   load = s_frame_valid && s_frame_ready;

    // bytes in this beat (tkeep contiguous from lane 0)
    reg [3:0] nkeep;
    integer   l;
    always @(*) begin
        nkeep = 4'd0;
        for (l = 0; l < 8; l = l + 1) nkeep = nkeep + {3'd0, s_axis_order_tkeep[l]};
    end
    // the tkeep rule: all eight lanes before the last beat, contiguous from lane 0 in it
    wire keep_bad = s_axis_order_tlast ? |(s_axis_order_tkeep[7:1] & ~s_axis_order_tkeep[6:0])
                                       : (s_axis_order_tkeep != 8'hFF);
    wire frame_bad = keep_bad_q || keep_bad;
    wire [16:0] len_sum = {1'b0, len_q} + {13'd0, nkeep};
    wire [15:0] len_new = len_sum[16] ? 16'hFFFF : len_sum[15:0];

    // ---------------------------------------------------------------- position in the merged stream
    integer     bi;
    reg  [47:0] md_pos_q;      // seq of the next market-data message to enter the risk stage
    reg  [15:0] md_k_q;        // control messages that entered at md_pos_q
    wire        due = full_q && ((pos_q < md_pos_q) || (pos_q == md_pos_q && k_q <= md_k_q));
    assign md_hold = due;
    assign m_valid = due;

    always @(posedge clk) begin
        if (rst) begin
            buf_q    <= {(BUF_BYTES*8){1'b0}};
            len_q    <= 16'd0;
            beat_q   <= 3'd0;
            full_q   <= 1'b0;
            pos_q    <= 48'd0;
            k_q      <= 16'd0;
            md_pos_q <= 48'd1;
            md_k_q   <= 16'd0;
            t_first_q <= 64'd0;
            t_last_q  <= 64'd0;
            keep_bad_q <= 1'b0;
            st_tkeep_q <= 32'd0;
        end else begin
            if (beat && len_q == 16'd0) t_first_q <= cycle;
            if (beat && s_axis_order_tlast) t_last_q <= cycle;
            if (beat) begin
                // a beat goes to its fixed place (a decoded enable, no shifter); beats past
                // the buffer only count towards the length
                for (bi = 0; bi < BEATS; bi = bi + 1)
                    if (beat_q == bi[2:0]) buf_q[bi*64 +: 64] <= s_axis_order_tdata;
                if (beat_q != BEATS[2:0]) beat_q <= beat_q + 3'd1;
                len_q <= len_new;
                keep_bad_q <= frame_bad && !s_axis_order_tlast;
                if (s_axis_order_tlast && frame_bad) begin
                    // refused whole: the next beat starts a new frame
                    len_q      <= 16'd0;
                    beat_q     <= 3'd0;
                    st_tkeep_q <= st_tkeep_q + 32'd1;
                end else if (s_axis_order_tlast) begin
                    full_q <= 1'b1;
                    pos_q  <= s_axis_order_tuser[47:0];
                    k_q    <= s_axis_order_tuser[63:48];
                end
            end
            if (load) begin
                buf_q[287:0] <= s_frame_data;
                len_q     <= {10'd0, s_frame_len};
                full_q    <= 1'b1;
                pos_q     <= md_pos_q;
                k_q       <= md_k_q;
                t_first_q <= s_frame_t_first;
                t_last_q  <= s_frame_t_last;
            end
            if (m_valid && m_ready) begin
                full_q <= 1'b0;
                len_q  <= 16'd0;
                beat_q <= 3'd0;
            end
            if (md_fire) begin
                if (md_seq_msg) begin
                    md_pos_q <= md_pos_q + 48'd1;
                    md_k_q   <= 16'd0;
                end else begin
                    md_k_q   <= md_k_q + 16'd1;
                end
            end
        end
    end

    // ---------------------------------------------------------------- decode (big-endian fields)
    function [7:0] b8(input [BUF_BYTES*8-1:0] b, input integer off);
        b8 = b[off*8 +: 8];
    endfunction
    function [15:0] b16(input [BUF_BYTES*8-1:0] b, input integer off);
        b16 = {b[off*8 +: 8], b[(off+1)*8 +: 8]};
    endfunction
    function [31:0] b32(input [BUF_BYTES*8-1:0] b, input integer off);
        b32 = {b16(b, off), b16(b, off + 2)};
    endfunction
    function [63:0] b64(input [BUF_BYTES*8-1:0] b, input integer off);
        b64 = {b32(b, off), b32(b, off + 4)};
    endfunction

    wire [7:0]  typ     = b8(buf_q, 0);
    wire        is_ord  = (typ == `RG_OFRM_TYPE) && (len_q == `RG_OFRM_LEN);
    wire        is_ven  = (typ == `RG_VFRM_TYPE) && (len_q == `RG_VFRM_LEN);

    wire [7:0]  o_action = b8(buf_q, `RG_OFRM_OFF_ACTION);
    wire [7:0]  o_side   = b8(buf_q, `RG_OFRM_OFF_SIDE);
    wire [15:0] o_acct   = b16(buf_q, `RG_OFRM_OFF_ACCOUNT);
    wire [15:0] o_sym    = b16(buf_q, `RG_OFRM_OFF_SYMBOL);
    wire [31:0] o_id     = b32(buf_q, `RG_OFRM_OFF_ORDER_ID);
    wire [31:0] o_qty    = b32(buf_q, `RG_OFRM_OFF_QTY);
    wire [31:0] o_price  = b32(buf_q, `RG_OFRM_OFF_PRICE);
    wire [63:0] o_seq    = b64(buf_q, `RG_OFRM_OFF_SEQ);
    wire [63:0] o_fp     = b64(buf_q, `RG_OFRM_OFF_FINGERPRINT);

    wire [7:0]  v_event  = b8(buf_q, `RG_VFRM_OFF_EVENT);
    wire [15:0] v_rsvd   = b16(buf_q, `RG_VFRM_OFF_RESERVED);
    wire [31:0] v_id     = b32(buf_q, `RG_VFRM_OFF_ORDER_ID);
    wire [31:0] v_qty    = b32(buf_q, `RG_VFRM_OFF_QTY);
    wire [31:0] v_price  = b32(buf_q, `RG_VFRM_OFF_PRICE);
    wire [63:0] v_seq    = b64(buf_q, `RG_VFRM_OFF_SEQ);
    wire [63:0] v_fp     = b64(buf_q, `RG_VFRM_OFF_FINGERPRINT);

    wire [63:0] pos64    = {16'd0, pos_q};
    wire        o_ok = (o_seq == pos64) &&
                       (o_action == `RG_ASCII_O || o_action == `RG_ASCII_U) &&
                       (o_side == `RG_ASCII_B || o_side == `RG_ASCII_S || o_side == `RG_ASCII_T || o_side == `RG_ASCII_E) &&
                       (o_acct < {8'd0, cfg_n_accounts}) && (o_sym < {8'd0, cfg_n_symbols}) &&
                       (o_id < SLOTS) && (o_qty != 32'd0) && (o_qty <= MAX_QTY) && (o_price != 32'd0);
    wire        v_ok = (v_seq == pos64) &&
                       (v_event == `RG_ASCII_E || v_event == `RG_ASCII_C) && (v_rsvd == 16'd0) &&
                       (v_qty != 32'd0) && ((v_event == `RG_ASCII_E) ? (v_price != 32'd0) : (v_price == 32'd0));

    assign m_venue     = is_ven;
    assign m_bad_len   = !is_ord && !is_ven;
    assign m_type      = typ;
    assign m_len       = len_q;
    assign m_foreign   = is_ord ? (o_fp != cfg_fingerprint) : is_ven ? (v_fp != cfg_fingerprint) : 1'b0;
    assign m_fields_ok = is_ord ? o_ok : is_ven ? v_ok : 1'b0;
    assign m_action    = is_ven ? v_event : o_action;
    assign m_side      = is_ven ? 8'd0 : o_side;
    assign m_tif       = is_ven ? 8'd0 : b8(buf_q, `RG_OFRM_OFF_TIF);
    assign m_account   = is_ven ? 16'd0 : o_acct;
    assign m_symbol    = is_ven ? 16'd0 : o_sym;
    assign m_order_id  = is_ven ? v_id : o_id;
    assign m_qty       = is_ven ? v_qty : o_qty;
    assign m_price     = is_ven ? v_price : o_price;
    assign m_seq       = is_ven ? v_seq : o_seq;
    assign m_pos       = pos_q;
    assign m_t_first   = t_first_q;
    assign m_t_last    = t_last_q;
    assign pos_now     = {md_k_q, md_pos_q};
    assign stat_tkeep  = st_tkeep_q;
    assign idle        = !full_q && len_q == 16'd0 && !keep_bad_q;
endmodule
`default_nettype wire
