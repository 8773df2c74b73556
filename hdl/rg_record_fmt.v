// Record formatter (spec section 11): serialises the records of each message onto a
// 256-bit AXI-Stream, one 32-byte record per beat (record byte 0 = tdata[7:0]), in the
// order PROBLEM | CONTROL, or TOB, DECISION, FILL; tlast marks the last record of a
// message. The first record of an arriving event goes straight into the output register
// when it is free; only the remaining records of an event wait in the hold register. Latency stamps leave on a side channel (never inside the records): one per
// record, in the cycle after its beat was accepted:
//   lat_data[47:0]    seq            lat_data[55:48]   record kind
//   lat_data[127:64]  cycle the message's first beat was offered
//   lat_data[191:128] cycle the beat holding the message's last byte was accepted
//   lat_data[255:192] cycle the record's beat was accepted on m_axis
`default_nettype none
`include "rg_defs.vh"
module rg_record_fmt #(
    parameter integer EV_WIDTH = 475,
    parameter integer SYM_W    = 6,
    parameter integer ACCT_W   = 6
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [63:0]         cycle,

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
    input  wire [15:0]         s_reasons,
    input  wire                s_accepted,
    input  wire [ACCT_W-1:0]   s_acct_idx,
    input  wire [31:0]         s_acct_id,
    input  wire [31:0]         s_pos_after,

    output wire [255:0]        m_axis_tdata,
    output wire [31:0]         m_axis_tkeep,
    output wire                m_axis_tvalid,
    input  wire                m_axis_tready,
    output wire                m_axis_tlast,

    output reg                 lat_valid,
    output reg  [255:0]        lat_data,

    output wire                idle
);
    // ---------------------------------------------------------------- held event
    reg                hv_q;
    reg [3:0]          mask_q;        // {fill, decision, tob, prebuilt}
    reg [47:0]         seq_q, ts_q;
    reg [63:0]         toff_q, tlast_q;
    reg [7:0]          rkind_q, rsym_q, raux_q;
    reg [127:0]        rpay_q;
    reg [7:0]          sym_q, flags_q;
    reg [127:0]        tuple_q;
    reg                buy_q;
    reg [31:0]         px_q, qty_q, acct_id_q, pos_q;
    reg [15:0]         reasons_q;
    reg                acc_q;
    reg [7:0]          acct_q;

    // ---------------------------------------------------------------- output register
    reg         out_valid_q;
    reg [255:0] out_data_q;
    reg         out_last_q;
    reg [7:0]   out_kind_q;
    reg [47:0]  out_seq_q;
    reg [63:0]  out_toff_q, out_tlast_q;

    wire       out_free = !out_valid_q || m_axis_tready;
    wire [3:0] s_mask   = {s_dec && s_accepted, s_dec, s_tob, (s_ev[`RG_EV_RKIND_LO +: 8] != `RG_REC_NONE)};

    // the event served in this cycle: the held one, else the arriving one
    wire         use_in   = !hv_q;
    wire [3:0]   cur_mask = use_in ? (s_valid ? s_mask : 4'd0) : mask_q;
    wire [47:0]  c_seq    = use_in ? s_ev[`RG_EV_SEQ_LO +: 48]   : seq_q;
    wire [47:0]  c_ts     = use_in ? s_ev[`RG_EV_TS_LO +: 48]    : ts_q;
    wire [63:0]  c_toff   = use_in ? s_ev[`RG_EV_TOFF_LO +: 64]  : toff_q;
    wire [63:0]  c_tlast  = use_in ? s_ev[`RG_EV_TLAST_LO +: 64] : tlast_q;
    wire [7:0]   c_rkind  = use_in ? s_ev[`RG_EV_RKIND_LO +: 8]  : rkind_q;
    wire [7:0]   c_rsym   = use_in ? s_ev[`RG_EV_RSYM_LO +: 8]   : rsym_q;
    wire [7:0]   c_raux   = use_in ? s_ev[`RG_EV_RAUX_LO +: 8]   : raux_q;
    wire [127:0] c_rpay   = use_in ? s_ev[`RG_EV_RPAY_LO +: 128] : rpay_q;
    wire [7:0]   c_sym    = use_in ? {{(8-SYM_W){1'b0}}, s_sym} : sym_q;
    wire [7:0]   c_flags  = use_in ? s_flags : flags_q;
    wire [127:0] c_tuple  = use_in ? {s_ask_sz, s_ask_px, s_bid_sz, s_bid_px} : tuple_q;
    wire         c_buy    = use_in ? s_dec_buy : buy_q;
    wire [31:0]  c_px     = use_in ? s_dec_price : px_q;
    wire [31:0]  c_qty    = use_in ? s_dec_qty : qty_q;
    wire [15:0]  c_reas   = use_in ? s_reasons : reasons_q;
    wire         c_acc    = use_in ? s_accepted : acc_q;
    wire [7:0]   c_acct   = use_in ? {{(8-ACCT_W){1'b0}}, s_acct_idx} : acct_q;
    wire [31:0]  c_acctid = use_in ? s_acct_id : acct_id_q;
    wire [31:0]  c_pos    = use_in ? s_pos_after : pos_q;

    // lowest pending record
    wire [3:0] pick     = cur_mask & (~cur_mask + 4'd1);
    wire [3:0] rest     = cur_mask & ~pick;
    wire       send     = out_free && (cur_mask != 4'd0);
    // a new event is taken when nothing is held, or when the held one sends its last record
    assign s_ready      = !hv_q || (send && rest == 4'd0);

    function [127:0] hdr(input [7:0] kind, input [7:0] sym, input [7:0] aux, input [47:0] seq, input [47:0] ts);
        hdr = {ts, seq, aux, sym, kind, 8'd1};
    endfunction

    wire [7:0] side = c_buy ? `RG_ASCII_B : `RG_ASCII_S;
    reg  [255:0] rec;
    reg  [7:0]   rec_kind;
    always @(*) begin
        if (pick[0]) begin
            rec_kind = c_rkind;
            rec      = {c_rpay, hdr(c_rkind, c_rsym, c_raux, c_seq, c_ts)};
        end else if (pick[1]) begin
            rec_kind = `RG_REC_TOB;
            rec      = {c_tuple, hdr(`RG_REC_TOB, c_sym, c_flags, c_seq, c_ts)};
        end else if (pick[2]) begin
            rec_kind = `RG_REC_DECISION;
            rec      = {c_acctid, c_acct, 7'd0, c_acc, c_reas, c_qty, c_px,
                        hdr(`RG_REC_DECISION, c_sym, side, c_seq, c_ts)};
        end else begin
            rec_kind = `RG_REC_FILL;
            rec      = {16'd0, c_acct, 8'd0, c_pos, c_qty, c_px,
                        hdr(`RG_REC_FILL, c_sym, side, c_seq, c_ts)};
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            hv_q        <= 1'b0;
            mask_q      <= 4'd0;
            seq_q       <= 48'd0;
            ts_q        <= 48'd0;
            toff_q      <= 64'd0;
            tlast_q     <= 64'd0;
            rkind_q     <= 8'd0;
            rsym_q      <= 8'd0;
            raux_q      <= 8'd0;
            rpay_q      <= 128'd0;
            sym_q       <= 8'd0;
            flags_q     <= 8'd0;
            tuple_q     <= 128'd0;
            buy_q       <= 1'b0;
            px_q        <= 32'd0;
            qty_q       <= 32'd0;
            acct_id_q   <= 32'd0;
            pos_q       <= 32'd0;
            reasons_q   <= 16'd0;
            acc_q       <= 1'b0;
            acct_q      <= 8'd0;
            out_valid_q <= 1'b0;
            out_data_q  <= 256'd0;
            out_last_q  <= 1'b0;
            out_kind_q  <= 8'd0;
            out_seq_q   <= 48'd0;
            out_toff_q  <= 64'd0;
            out_tlast_q <= 64'd0;
            lat_valid   <= 1'b0;
            lat_data    <= 256'd0;
        end else begin
            // latency stamp of the record accepted in this cycle
            lat_valid <= out_valid_q && m_axis_tready;
            if (out_valid_q && m_axis_tready)
                lat_data <= {cycle, out_tlast_q, out_toff_q, 8'd0, out_kind_q, out_seq_q};

            if (m_axis_tready) out_valid_q <= 1'b0;
            if (send) begin
                out_valid_q <= 1'b1;
                out_data_q  <= rec;
                out_last_q  <= (rest == 4'd0);
                out_kind_q  <= rec_kind;
                out_seq_q   <= c_seq;
                out_toff_q  <= c_toff;
                out_tlast_q <= c_tlast;
            end

            // hold register: what is left of the served event, or the next event
            if (hv_q && send) begin
                mask_q <= rest;
                if (rest == 4'd0) hv_q <= 1'b0;
            end
            if (s_valid && s_ready) begin
                // served directly now (nothing held): keep only the records not sent yet
                hv_q      <= use_in ? (send ? rest != 4'd0 : s_mask != 4'd0) : (s_mask != 4'd0);
                mask_q    <= (use_in && send) ? rest : s_mask;
                seq_q     <= s_ev[`RG_EV_SEQ_LO +: 48];
                ts_q      <= s_ev[`RG_EV_TS_LO +: 48];
                toff_q    <= s_ev[`RG_EV_TOFF_LO +: 64];
                tlast_q   <= s_ev[`RG_EV_TLAST_LO +: 64];
                rkind_q   <= s_ev[`RG_EV_RKIND_LO +: 8];
                rsym_q    <= s_ev[`RG_EV_RSYM_LO +: 8];
                raux_q    <= s_ev[`RG_EV_RAUX_LO +: 8];
                rpay_q    <= s_ev[`RG_EV_RPAY_LO +: 128];
                sym_q     <= {{(8-SYM_W){1'b0}}, s_sym};
                flags_q   <= s_flags;
                tuple_q   <= {s_ask_sz, s_ask_px, s_bid_sz, s_bid_px};
                buy_q     <= s_dec_buy;
                px_q      <= s_dec_price;
                qty_q     <= s_dec_qty;
                reasons_q <= s_reasons;
                acc_q     <= s_accepted;
                acct_q    <= {{(8-ACCT_W){1'b0}}, s_acct_idx};
                acct_id_q <= s_acct_id;
                pos_q     <= s_pos_after;
            end
        end
    end

    wire unused_ev = ^{s_ev[`RG_EV_W-1:`RG_EV_UKIND_LO]};

    assign m_axis_tdata  = out_data_q;
    assign m_axis_tkeep  = {32{1'b1}};
    assign m_axis_tvalid = out_valid_q;
    assign m_axis_tlast  = out_last_q;
    assign idle          = !hv_q && !out_valid_q;
endmodule
`default_nettype wire
