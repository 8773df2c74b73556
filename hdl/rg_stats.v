// Statistics counters of spec section 12, read through the register port.
//
// 64-bit counters, word address (byte address >> 2) relative to the stats base:
//   counter k (RG_STAT_*, the contract's [stats] counters, then problems[1..]) at words 2k
//   (low) and 2k+1 (high); by_type[t] at words RG_STATS_BY_TYPE_WORD + 2t (low) and + 2t + 1
//   (high)
// table_full counts the drops (ghost_inserts + untracked_drops); the peaks (live_peak,
// stash_peak, ghost_peak) are the largest occupancy seen, sampled every cycle (an
// occupancy holds each value for at least a cycle, so no value is missed).
// by_type lives in a RAM updated by a read-modify-write pipeline with one-deep forwarding
// (one increment per cycle at most); register reads of it are served in cycles without
// an increment. rd_valid pulses with the data, one or more cycles after rd_en.
`default_nettype none
`include "rg_contract.vh"
module rg_stats (
    input  wire        clk,
    input  wire        rst,

    input  wire        ev_msg,
    input  wire        ev_type_valid,
    input  wire [7:0]  ev_type,
    input  wire [7:0]  ev_problem,
    input  wire        ev_control,
    input  wire        ev_unknown_ref,
    input  wire        ev_stash_insert,
    input  wire        ev_ghost_insert,
    input  wire        ev_untracked_drop,
    input  wire        ev_collision_clear,
    input  wire [31:0] occ_live,
    input  wire [31:0] occ_stash,
    input  wire [31:0] occ_ghost,
    input  wire        ev_flagged,
    input  wire        ev_tob,
    input  wire        ev_decision,
    input  wire        ev_accepted,
    input  wire        ev_rejected,
    // the risk stage's order path (a second source of the same counters, same cycle allowed)
    input  wire [7:0]  ev2_problem,
    input  wire        ev2_control,
    input  wire        ev2_fill,

    input  wire        rd_en,
    input  wire [9:0]  rd_addr,
    output reg         rd_valid,
    output reg  [31:0] rd_data
);
    localparam integer NCNT  = `RG_NSTAT_COUNTERS;
    localparam integer CIW   = $clog2(NCNT);
    localparam [9:0]   BYT   = `RG_STATS_BY_TYPE_WORD;

    initial begin
        // counters below the by_type words, by_type[0..255] inside the 1024-word window
        if (2 * NCNT > `RG_STATS_BY_TYPE_WORD || `RG_STATS_BY_TYPE_WORD + 512 > 1024
            || `RG_REG_STATS_SIZE != 4 * 1024) begin
            $error("rg_stats: %0d counters and by_type at word %0d do not fit the stats window (instance %m)",
                   NCNT, `RG_STATS_BY_TYPE_WORD);
            $finish;
        end
    end

    reg [64*NCNT-1:0] cnt_q;

    reg [NCNT-1:0] inc;
    always @(*) begin
        inc = {NCNT{1'b0}};
        inc[`RG_STAT_MESSAGES]             = ev_msg;
        inc[`RG_STAT_UNKNOWN_REF]          = ev_unknown_ref;
        inc[`RG_STAT_TABLE_FULL]           = ev_ghost_insert || ev_untracked_drop;
        inc[`RG_STAT_FLAGGED]              = ev_flagged;
        inc[`RG_STAT_TOB]                  = ev_tob;
        inc[`RG_STAT_DECISIONS]            = ev_decision;
        inc[`RG_STAT_ACCEPTED]             = ev_accepted;
        inc[`RG_STAT_REJECTED]             = ev_rejected;
        inc[`RG_STAT_FILLS]                = ev_accepted;     // every accepted order fills
        inc[`RG_STAT_CONTROLS]             = ev_control;
        inc[`RG_STAT_STASH_INSERTS]        = ev_stash_insert;
        inc[`RG_STAT_GHOST_INSERTS]        = ev_ghost_insert;
        inc[`RG_STAT_UNTRACKED_DROPS]      = ev_untracked_drop;
        inc[`RG_STAT_COLLISION_CLEARS]     = ev_collision_clear;
        inc[`RG_STAT_PROBLEM_BAD_LENGTH]   = (ev_problem == `RG_PROB_BAD_LENGTH);
        inc[`RG_STAT_PROBLEM_UNKNOWN_TYPE] = (ev_problem == `RG_PROB_UNKNOWN_TYPE);
        inc[`RG_STAT_PROBLEM_TRUNCATED]    = (ev_problem == `RG_PROB_TRUNCATED);
        inc[`RG_STAT_PROBLEM_BAD_CONTROL]  = (ev_problem == `RG_PROB_BAD_CONTROL);
        inc[`RG_STAT_PROBLEM_FOREIGN_CONTROL] = (ev_problem == `RG_PROB_FOREIGN_CONTROL);
    end
    reg [NCNT-1:0] inc2;
    always @(*) begin
        inc2 = {NCNT{1'b0}};
        inc2[`RG_STAT_FILLS]                   = ev2_fill;
        inc2[`RG_STAT_CONTROLS]                = ev2_control;
        inc2[`RG_STAT_PROBLEM_BAD_LENGTH]      = (ev2_problem == `RG_PROB_BAD_LENGTH);
        inc2[`RG_STAT_PROBLEM_BAD_CONTROL]     = (ev2_problem == `RG_PROB_BAD_CONTROL);
        inc2[`RG_STAT_PROBLEM_FOREIGN_CONTROL] = (ev2_problem == `RG_PROB_FOREIGN_CONTROL);
    end

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
    wire        rd_in_bt  = (rd_addr >= BYT);
    wire [9:0]  rd_bt     = rd_addr - BYT;
    wire [9:0]  rq_bt     = rq_addr_q - BYT;
    wire        rq_bytype = rd_en ? rd_in_bt : (rq_addr_q >= BYT);
    wire        rq_now    = (rd_en || rq_q) && rq_bytype && !ram_inc;
    wire [7:0]  rq_t      = rd_en ? rd_bt[8:1] : rq_bt[8:1];
    wire        unused_bt = ^{rd_bt[9], rd_bt[0], rq_bt[9], rq_bt[0]};
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
                if (inc[k] || inc2[k]) cnt_q[64*k +: 64] <= cnt_q[64*k +: 64] + {62'd0, inc2[k] && inc[k], inc2[k] != inc[k]};
            // peaks: the high words stay 0
            if (occ_live > cnt_q[64*`RG_STAT_LIVE_PEAK +: 32])   cnt_q[64*`RG_STAT_LIVE_PEAK +: 64]  <= {32'd0, occ_live};
            if (occ_stash > cnt_q[64*`RG_STAT_STASH_PEAK +: 32]) cnt_q[64*`RG_STAT_STASH_PEAK +: 64] <= {32'd0, occ_stash};
            if (occ_ghost > cnt_q[64*`RG_STAT_GHOST_PEAK +: 32]) cnt_q[64*`RG_STAT_GHOST_PEAK +: 64] <= {32'd0, occ_ghost};

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
                if (!rd_in_bt) begin
                    rd_valid <= 1'b1;
                    if (rd_addr[9:1] < NCNT[8:0])
                        rd_data <= rd_addr[0] ? cnt_q[64*rd_addr[CIW:1] + 32 +: 32] : cnt_q[64*rd_addr[CIW:1] +: 32];
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
