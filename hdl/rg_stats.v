// Statistics counters of spec section 12, read through the register port.
//
// 64-bit counters, word address (byte address >> 2) relative to the stats base:
//   counter k at words 2k (low half) and 2k+1 (high half):
//   0 messages  1 unknown_ref  2 table_full  3 flagged  4 tob  5 decisions  6 accepted
//   7 rejected  8 fills  9 controls  10..13 problems[1..4]
//   by_type[t] at words 512 + 2t (low) and 513 + 2t (high)
// by_type lives in a RAM updated by a read-modify-write pipeline with one-deep forwarding
// (one increment per cycle at most); register reads of it are served in cycles without
// an increment. rd_valid pulses with the data, one or more cycles after rd_en.
`default_nettype none
module rg_stats (
    input  wire        clk,
    input  wire        rst,

    input  wire        ev_msg,
    input  wire        ev_type_valid,
    input  wire [7:0]  ev_type,
    input  wire [7:0]  ev_problem,
    input  wire        ev_control,
    input  wire        ev_unknown_ref,
    input  wire        ev_table_full,
    input  wire        ev_flagged,
    input  wire        ev_tob,
    input  wire        ev_decision,
    input  wire        ev_accepted,
    input  wire        ev_rejected,

    input  wire        rd_en,
    input  wire [9:0]  rd_addr,
    output reg         rd_valid,
    output reg  [31:0] rd_data
);
    localparam integer NCNT = 14;

    reg [64*NCNT-1:0] cnt_q;

    wire [NCNT-1:0] inc = {
        ev_problem == 8'd4, ev_problem == 8'd3, ev_problem == 8'd2, ev_problem == 8'd1,
        ev_control, ev_accepted, ev_rejected, ev_accepted, ev_decision, ev_tob,
        ev_flagged, ev_table_full, ev_unknown_ref, ev_msg
    };

    // ---------------------------------------------------------------- by_type RAM
    reg         pend_q;             // increment in its write cycle
    reg [7:0]   pend_t_q;
    reg         lw_valid_q;         // last write, for forwarding
    reg [7:0]   lw_t_q;
    reg [63:0]  lw_v_q;
    reg         rq_q;               // register read waiting for the RAM port
    reg [9:0]   rq_addr_q;
    reg         rr_q;               // register read of by_type in its data cycle
    reg [7:0]   rr_t_q;
    reg         rr_hi_q;

    wire        ram_inc   = ev_type_valid;
    wire        rq_bytype = rd_en ? rd_addr[9] : rq_addr_q[9];
    wire        rq_now    = (rd_en || rq_q) && rq_bytype && !ram_inc;
    wire [7:0]  rq_t      = rd_en ? rd_addr[8:1] : rq_addr_q[8:1];
    wire [63:0] ram_rd;
    wire [63:0] cur_v     = (lw_valid_q && lw_t_q == pend_t_q) ? lw_v_q : ram_rd;
    wire [63:0] new_v     = cur_v + 64'd1;
    wire [63:0] rr_v      = (lw_valid_q && lw_t_q == rr_t_q) ? lw_v_q : ram_rd;

    // the RAM has no reset: by_type is cleared by a 256-cycle sweep after reset (the input
    // is still disabled then, by the longer locate-table sweep)
    reg       clr_q;
    reg [7:0] clr_t_q;

    rg_ram_sdp #(.ADDR_W(8), .WIDTH(64), .LANES(1)) u_bytype (
        .clk(clk),
        .wr_en(clr_q || pend_q), .wr_be(1'b1), .wr_addr(clr_q ? clr_t_q : pend_t_q),
        .wr_data(clr_q ? 64'd0 : new_v),
        .rd_en(ram_inc || rq_now), .rd_addr(ram_inc ? ev_type : rq_t), .rd_data(ram_rd)
    );

    integer k;
    always @(posedge clk) begin
        if (rst) begin
            cnt_q      <= {(64*NCNT){1'b0}};
            pend_q     <= 1'b0;
            pend_t_q   <= 8'd0;
            lw_valid_q <= 1'b0;
            lw_t_q     <= 8'd0;
            lw_v_q     <= 64'd0;
            rq_q       <= 1'b0;
            rq_addr_q  <= 10'd0;
            rr_q       <= 1'b0;
            rr_t_q     <= 8'd0;
            rr_hi_q    <= 1'b0;
            rd_valid   <= 1'b0;
            rd_data    <= 32'd0;
            clr_q      <= 1'b1;
            clr_t_q    <= 8'd0;
        end else begin
            for (k = 0; k < NCNT; k = k + 1)
                if (inc[k]) cnt_q[64*k +: 64] <= cnt_q[64*k +: 64] + 64'd1;

            if (clr_q) begin
                // sweep: write 0 through the forwarding register path
                lw_valid_q <= 1'b0;
                clr_t_q    <= clr_t_q + 8'd1;
                if (clr_t_q == 8'hFF) clr_q <= 1'b0;
            end else begin
                lw_valid_q <= pend_q;
                lw_t_q     <= pend_t_q;
                lw_v_q     <= new_v;
            end
            pend_q   <= ram_inc;
            pend_t_q <= ev_type;

            // register reads
            rd_valid <= 1'b0;
            rr_q     <= rq_now;
            if (rd_en) begin
                rq_addr_q <= rd_addr;
                if (!rd_addr[9]) begin
                    rd_valid <= 1'b1;
                    if (rd_addr[8:1] < NCNT[7:0])
                        rd_data <= rd_addr[0] ? cnt_q[64*rd_addr[4:1] + 32 +: 32] : cnt_q[64*rd_addr[4:1] +: 32];
                    else
                        rd_data <= 32'd0;
                    rq_q     <= 1'b0;
                end else begin
                    rq_q <= !rq_now;
                end
            end else if (rq_now) begin
                rq_q <= 1'b0;
            end
            if (rq_now) begin
                rr_t_q  <= rq_t;
                rr_hi_q <= rd_en ? rd_addr[0] : rq_addr_q[0];
            end
            if (rr_q) begin
                rd_valid <= 1'b1;
                rd_data  <= rr_hi_q ? rr_v[63:32] : rr_v[31:0];
            end
        end
    end
endmodule
`default_nettype wire
