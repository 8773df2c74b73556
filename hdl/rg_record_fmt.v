// Record formatter (spec section 11): serialises the records of each message onto a
// 256-bit AXI-Stream, one 32-byte record per beat (record byte 0 = tdata[7:0]), in the
// order PROBLEM | CONTROL, or PROBLEM/FOREIGN_CONTROL then the CONTROL record of the
// GLOBAL_KILL engage it causes (spec section 9), or TOB, DECISION, FILL; tlast marks the
// last record of a message. The first record of an arriving event goes straight into the output register
// when it is free; only the remaining records of an event wait in the hold register. Latency stamps leave on a side channel (never inside the records): one per
// record, in the cycle after its beat was accepted:
//   lat_data[47:0]    seq            lat_data[55:48]   record kind
//   lat_data[127:64]  cycle the message's first beat was offered
//   lat_data[191:128] cycle the beat holding the message's last byte was accepted
//   lat_data[255:192] cycle the record's beat was accepted on m_axis
`default_nettype none
`include "rg_contract.vh"
module rg_record_fmt (
    input  wire                 clk,
    input  wire                 rst,
    input  wire [63:0]          cycle,

    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire [`RG_EV_W-1:0]  s_ev,
    input  wire [`RG_TOB_W-1:0] s_tob,
    input  wire [`RG_ORD_W-1:0] s_ord,
    input  wire [`RG_VRD_W-1:0] s_vrd,

    output wire [255:0]         m_axis_tdata,
    output wire [31:0]          m_axis_tkeep,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready,
    output wire                 m_axis_tlast,

    output reg                  lat_valid,
    output reg  [255:0]         lat_data,

    output wire                 idle
);
    initial begin
        if (`RG_RECORD_SIZE * 8 != 256) begin
            $error("rg_record_fmt: a %0d-byte record does not fill the 256-bit beat (instance %m)", `RG_RECORD_SIZE);
            $finish;
        end
    end

    // ---------------------------------------------------------------- held event
    reg                 hv_q;
    reg [4:0]           mask_q;        // {fill, decision, tob, kill, prebuilt}
    reg [`RG_EV_W-1:0]  ev_q;
    reg [`RG_TOB_W-1:0] tob_q;
    reg [`RG_ORD_W-1:0] ord_q;
    reg [`RG_VRD_W-1:0] vrd_q;

    // ---------------------------------------------------------------- output register
    reg         out_valid_q;
    reg [255:0] out_data_q;
    reg         out_last_q;
    reg [7:0]   out_kind_q;
    reg [47:0]  out_seq_q;
    reg [63:0]  out_toff_q, out_tlast_q;

    wire       out_free = !out_valid_q || m_axis_tready;
    // a FOREIGN_CONTROL problem is followed by the CONTROL record of its GLOBAL_KILL engage,
    // an order event that tripped the daily loss limit by its account kill's (section 18.8)
    wire       s_kill   = ((s_ev[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W] == `RG_REC_PROBLEM) &&
                           (s_ev[`RG_EV_RAUX_LO +: `RG_EV_RAUX_W] == `RG_PROB_FOREIGN_CONTROL)) ||
                          s_vrd[`RG_VRD_LOSS_KILL_LO];
    wire [4:0] s_mask   = {s_ord[`RG_ORD_DEC_LO] && s_vrd[`RG_VRD_ACCEPTED_LO], s_ord[`RG_ORD_DEC_LO],
                           s_tob[`RG_TOB_EMIT_LO], s_kill,
                           (s_ev[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W] != `RG_REC_NONE)};

    // the event served in this cycle: the held one, else the arriving one
    wire                 use_in   = !hv_q;
    wire [4:0]           cur_mask = use_in ? (s_valid ? s_mask : 5'd0) : mask_q;
    wire [`RG_EV_W-1:0]  c_ev     = use_in ? s_ev  : ev_q;
    wire [`RG_TOB_W-1:0] c_tob    = use_in ? s_tob : tob_q;
    wire [`RG_ORD_W-1:0] c_ord    = use_in ? s_ord : ord_q;
    wire [`RG_VRD_W-1:0] c_vrd    = use_in ? s_vrd : vrd_q;

    wire [47:0]  c_seq    = c_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W];
    wire [47:0]  c_ts     = c_ev[`RG_EV_TS_LO +: `RG_EV_TS_W];
    wire [63:0]  c_toff   = c_ev[`RG_EV_TOFF_LO +: `RG_EV_TOFF_W];
    wire [63:0]  c_tlast  = c_ev[`RG_EV_TLAST_LO +: `RG_EV_TLAST_W];
    wire [7:0]   c_rkind  = c_ev[`RG_EV_RKIND_LO +: `RG_EV_RKIND_W];
    wire [7:0]   c_rsym   = c_ev[`RG_EV_RSYM_LO +: `RG_EV_RSYM_W];
    wire [7:0]   c_raux   = c_ev[`RG_EV_RAUX_LO +: `RG_EV_RAUX_W];
    wire [127:0] c_rpay   = c_ev[`RG_EV_RPAY_LO +: `RG_EV_RPAY_W];
    wire [7:0]   c_sym    = c_tob[`RG_TOB_SYM_LO +: `RG_TOB_SYM_W];
    wire [7:0]   c_flags  = c_tob[`RG_TOB_FLAGS_LO +: `RG_TOB_FLAGS_W];
    wire [31:0]  c_bid_px = c_tob[`RG_TOB_BID_PX_LO +: `RG_TOB_BID_PX_W];
    wire [31:0]  c_bid_sz = c_tob[`RG_TOB_BID_SZ_LO +: `RG_TOB_BID_SZ_W];
    wire [31:0]  c_ask_px = c_tob[`RG_TOB_ASK_PX_LO +: `RG_TOB_ASK_PX_W];
    wire [31:0]  c_ask_sz = c_tob[`RG_TOB_ASK_SZ_LO +: `RG_TOB_ASK_SZ_W];
    wire         c_buy    = c_ord[`RG_ORD_BUY_LO];
    wire [31:0]  c_px     = c_ord[`RG_ORD_PRICE_LO +: `RG_ORD_PRICE_W];
    wire [31:0]  c_qty    = c_ord[`RG_ORD_QTY_LO +: `RG_ORD_QTY_W];
    wire [15:0]  c_reas   = c_vrd[`RG_VRD_REASONS_LO +: `RG_VRD_REASONS_W];
    wire         c_acc    = c_vrd[`RG_VRD_ACCEPTED_LO];
    wire [7:0]   c_acct   = c_vrd[`RG_VRD_ACCT_LO +: `RG_VRD_ACCT_W];
    wire [31:0]  c_acctid = c_vrd[`RG_VRD_ACCT_ID_LO +: `RG_VRD_ACCT_ID_W];
    wire [31:0]  c_pos    = c_vrd[`RG_VRD_POS_AFTER_LO +: `RG_VRD_POS_AFTER_W];
    wire         c_lkill  = c_vrd[`RG_VRD_LOSS_KILL_LO];
    // the rest of the buses is for earlier stages (state updates, strategy inputs)
    wire unused_c = ^{c_ev[`RG_EV_W-1:`RG_EV_UKIND_LO], c_tob[`RG_TOB_EMIT_LO], c_tob[`RG_TOB_BUY_OK_LO],
                      c_tob[`RG_TOB_SELL_OK_LO], c_ord[`RG_ORD_DEC_LO]};

    // lowest pending record
    wire [4:0] pick     = cur_mask & (~cur_mask + 5'd1);
    wire [4:0] rest     = cur_mask & ~pick;
    wire       send     = out_free && (cur_mask != 5'd0);
    // a new event is taken when nothing is held, or when the held one sends its last record
    assign s_ready      = !hv_q || (send && rest == 5'd0);

    // the common header (spec section 11)
    function [8*`RG_RECH_SIZE-1:0] hdr(input [7:0] kind, input [7:0] sym, input [7:0] aux, input [47:0] seq,
                                       input [47:0] ts);
        begin
            hdr = {(8*`RG_RECH_SIZE){1'b0}};
            hdr[8*`RG_RECH_VERSION +: `RG_RECH_VERSION_W] = `RG_RECORD_VERSION;
            hdr[8*`RG_RECH_KIND +: `RG_RECH_KIND_W]       = kind;
            hdr[8*`RG_RECH_SYMBOL +: `RG_RECH_SYMBOL_W]   = sym;
            hdr[8*`RG_RECH_AUX +: `RG_RECH_AUX_W]         = aux;
            hdr[8*`RG_RECH_SEQ +: `RG_RECH_SEQ_W]         = seq;
            hdr[8*`RG_RECH_TS +: `RG_RECH_TS_W]           = ts;
        end
    endfunction

    wire [7:0] side = c_buy ? `RG_ASCII_B : `RG_ASCII_S;
    reg  [255:0] rec;
    reg  [7:0]   rec_kind;
    always @(*) begin
        rec = 256'd0;
        if (pick[0]) begin
            // a PROBLEM record has ts 0 (the event of a FOREIGN_CONTROL carries last_ts
            // for the CONTROL record that follows it)
            rec_kind = c_rkind;
            rec      = {c_rpay, hdr(c_rkind, c_rsym, c_raux, c_seq, (c_rkind == `RG_REC_PROBLEM) ? 48'd0 : c_ts)};
        end else if (pick[1] && c_lkill) begin
            rec_kind = `RG_REC_CONTROL;    // ACCOUNT_KILL 2 (engaged by the daily loss limit), the account
            rec[8*`RG_RECH_SIZE-1:0]                                  = hdr(`RG_REC_CONTROL, `RG_NO_SYMBOL, `RG_CTRL_ACCOUNT_KILL, c_seq, c_ts);
            rec[8*`RG_RECF_CONTROL_VALUE +: `RG_RECF_CONTROL_VALUE_W]   = 64'd2;
            rec[8*`RG_RECF_CONTROL_TARGET +: `RG_RECF_CONTROL_TARGET_W] = {8'd0, c_acct};
        end else if (pick[1]) begin
            rec_kind = `RG_REC_CONTROL;    // GLOBAL_KILL 1, global target
            rec[8*`RG_RECH_SIZE-1:0]                                  = hdr(`RG_REC_CONTROL, `RG_NO_SYMBOL, `RG_CTRL_GLOBAL_KILL, c_seq, c_ts);
            rec[8*`RG_RECF_CONTROL_VALUE +: `RG_RECF_CONTROL_VALUE_W]   = 64'd1;
            rec[8*`RG_RECF_CONTROL_TARGET +: `RG_RECF_CONTROL_TARGET_W] = `RG_CTRL_GLOBAL_TARGET;
        end else if (pick[2]) begin
            rec_kind = `RG_REC_TOB;
            rec[8*`RG_RECH_SIZE-1:0]                               = hdr(`RG_REC_TOB, c_sym, c_flags, c_seq, c_ts);
            rec[8*`RG_RECF_TOB_BID_PX +: `RG_RECF_TOB_BID_PX_W]    = c_bid_px;
            rec[8*`RG_RECF_TOB_BID_SZ +: `RG_RECF_TOB_BID_SZ_W]    = c_bid_sz;
            rec[8*`RG_RECF_TOB_ASK_PX +: `RG_RECF_TOB_ASK_PX_W]    = c_ask_px;
            rec[8*`RG_RECF_TOB_ASK_SZ +: `RG_RECF_TOB_ASK_SZ_W]    = c_ask_sz;
        end else if (pick[3]) begin
            rec_kind = `RG_REC_DECISION;
            rec[8*`RG_RECH_SIZE-1:0]                                              = hdr(`RG_REC_DECISION, c_sym, side, c_seq, c_ts);
            rec[8*`RG_RECF_DECISION_PRICE +: `RG_RECF_DECISION_PRICE_W]           = c_px;
            rec[8*`RG_RECF_DECISION_QTY +: `RG_RECF_DECISION_QTY_W]               = c_qty;
            rec[8*`RG_RECF_DECISION_REASONS +: `RG_RECF_DECISION_REASONS_W]       = c_reas;
            rec[8*`RG_RECF_DECISION_VERDICT +: `RG_RECF_DECISION_VERDICT_W]       = {7'd0, c_acc};
            rec[8*`RG_RECF_DECISION_ACCOUNT_INDEX +: `RG_RECF_DECISION_ACCOUNT_INDEX_W] = c_acct;
            rec[8*`RG_RECF_DECISION_ACCOUNT_ID +: `RG_RECF_DECISION_ACCOUNT_ID_W] = c_acctid;
        end else begin
            rec_kind = `RG_REC_FILL;       // leg 0, reserved 0
            rec[8*`RG_RECH_SIZE-1:0]                                                = hdr(`RG_REC_FILL, c_sym, side, c_seq, c_ts);
            rec[8*`RG_RECF_FILL_PRICE +: `RG_RECF_FILL_PRICE_W]                     = c_px;
            rec[8*`RG_RECF_FILL_QTY +: `RG_RECF_FILL_QTY_W]                         = c_qty;
            rec[8*`RG_RECF_FILL_POSITION_AFTER +: `RG_RECF_FILL_POSITION_AFTER_W]   = c_pos;
            rec[8*`RG_RECF_FILL_ACCOUNT_INDEX +: `RG_RECF_FILL_ACCOUNT_INDEX_W]     = c_acct;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            hv_q        <= 1'b0;
            mask_q      <= 5'd0;
            ev_q        <= {`RG_EV_W{1'b0}};
            tob_q       <= {`RG_TOB_W{1'b0}};
            ord_q       <= {`RG_ORD_W{1'b0}};
            vrd_q       <= {`RG_VRD_W{1'b0}};
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
                out_last_q  <= (rest == 5'd0);
                out_kind_q  <= rec_kind;
                out_seq_q   <= c_seq;
                out_toff_q  <= c_toff;
                out_tlast_q <= c_tlast;
            end

            // hold register: what is left of the served event, or the next event
            if (hv_q && send) begin
                mask_q <= rest;
                if (rest == 5'd0) hv_q <= 1'b0;
            end
            if (s_valid && s_ready) begin
                // served directly now (nothing held): keep only the records not sent yet
                hv_q      <= use_in ? (send ? rest != 5'd0 : s_mask != 5'd0) : (s_mask != 5'd0);
                mask_q    <= (use_in && send) ? rest : s_mask;
                ev_q      <= s_ev;
                tob_q     <= s_tob;
                ord_q     <= s_ord;
                vrd_q     <= s_vrd;
            end
        end
    end

    assign m_axis_tdata  = out_data_q;
    assign m_axis_tkeep  = {32{1'b1}};
    assign m_axis_tvalid = out_valid_q;
    assign m_axis_tlast  = out_last_q;
    assign idle          = !hv_q && !out_valid_q;
endmodule
`default_nettype wire
