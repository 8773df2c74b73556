// Symbol directory (spec section 3.2): the locate table (stock locate -> symbol index or
// none) and the name match of R messages against the configured symbols.
//
// One pipeline stage, one message per cycle. The locate table is 2^16 one-byte entries
// {valid, index} packed LOC_PER_WORD to a RAM word with byte write enables, so the clear
// sweep after reset takes 2^16 / LOC_PER_WORD cycles. An R message writes its entry in the
// cycle it is accepted; the next message reads the table one cycle later, so there is no
// read-after-write hazard. The stage also finishes the tick arithmetic of spec section 4
// (on_tick = q * TICK == price) and passes the rest of the message through.
`default_nettype none
`include "rg_defs.vh"
module rg_symbol_dir #(
    parameter integer MAX_SYMBOLS = 64,
    parameter integer PASS_W      = 8,
    parameter integer SYM_W       = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1
) (
    input  wire                      clk,
    input  wire                      rst,

    input  wire [MAX_SYMBOLS*64-1:0] cfg_names,     // symbol i at [64i +: 64], first char in the MSB
    input  wire [7:0]                cfg_n_symbols,
    input  wire [15:0]               cfg_tick,

    input  wire                      s_valid,
    output wire                      s_ready,
    input  wire [3:0]                s_op,
    input  wire [15:0]               s_locate,
    input  wire [63:0]               s_stock,
    input  wire [31:0]               s_price,
    input  wire [31:0]               s_q,
    input  wire [PASS_W-1:0]         s_pass,

    output wire                      m_valid,
    input  wire                      m_ready,
    output wire [PASS_W-1:0]         m_pass,
    output wire                      m_sym_valid,
    output wire [SYM_W-1:0]          m_sym,
    output wire                      m_on_tick,

    output wire                      busy            // clearing after reset
);
    localparam integer LOC_PER_WORD = 8;
    localparam integer WORD_AW      = 16 - $clog2(LOC_PER_WORD);

    // ---------------------------------------------------------------- clear sweep
    reg               sweep_q;
    reg [WORD_AW-1:0] sweep_addr_q;

    // ---------------------------------------------------------------- stage registers
    reg              valid_q;
    reg [PASS_W-1:0] pass_q;
    reg [2:0]        sel_q;
    reg              on_tick_q;

    wire accept = s_valid && s_ready;
    assign s_ready = !sweep_q && (!valid_q || m_ready);

    // ---------------------------------------------------------------- name match
    reg             match_found;
    reg [SYM_W-1:0] match_idx;
    integer i;
    always @(*) begin
        match_found = 1'b0;
        match_idx   = {SYM_W{1'b0}};
        for (i = MAX_SYMBOLS - 1; i >= 0; i = i - 1) begin
            if (i < cfg_n_symbols && cfg_names[64*i +: 64] == s_stock) begin
                match_found = 1'b1;
                match_idx   = i[SYM_W-1:0];
            end
        end
    end

    wire [7:0] new_entry = {match_found, {(7-SYM_W){1'b0}}, match_idx};

    // ---------------------------------------------------------------- locate table
    wire                    wr_en   = sweep_q || (accept && s_op == `RG_OP_DIR);
    wire [LOC_PER_WORD-1:0] wr_be   = sweep_q ? {LOC_PER_WORD{1'b1}}
                                              : ({{(LOC_PER_WORD-1){1'b0}}, 1'b1} << s_locate[2:0]);
    wire [WORD_AW-1:0]      wr_addr = sweep_q ? sweep_addr_q : s_locate[15:3];
    wire [63:0]             wr_data = sweep_q ? 64'd0 : {LOC_PER_WORD{new_entry}};
    wire [63:0]             rd_word;

    rg_ram_sdp #(.ADDR_W(WORD_AW), .WIDTH(64), .LANES(LOC_PER_WORD)) u_locate (
        .clk(clk),
        .wr_en(wr_en), .wr_be(wr_be), .wr_addr(wr_addr), .wr_data(wr_data),
        .rd_en(accept), .rd_addr(s_locate[15:3]), .rd_data(rd_word)
    );

    // on-tick check, second half of the spec section 4 arithmetic
    wire [47:0] q_times_tick = {16'd0, s_q} * {32'd0, cfg_tick};
    wire        on_tick      = (q_times_tick == {16'd0, s_price});

    always @(posedge clk) begin
        if (rst) begin
            sweep_q      <= 1'b1;
            sweep_addr_q <= {WORD_AW{1'b0}};
            valid_q      <= 1'b0;
            pass_q       <= {PASS_W{1'b0}};
            sel_q        <= 3'd0;
            on_tick_q    <= 1'b0;
        end else begin
            if (sweep_q) begin
                sweep_addr_q <= sweep_addr_q + 1'b1;
                if (&sweep_addr_q) sweep_q <= 1'b0;
            end
            if (m_ready) valid_q <= 1'b0;
            if (accept) begin
                valid_q   <= 1'b1;
                pass_q    <= s_pass;
                sel_q     <= s_locate[2:0];
                on_tick_q <= on_tick;
            end
        end
    end

    wire [7:0] entry = rd_word[8*sel_q +: 8];
    generate
        if (SYM_W > 6) begin : g_bad_param
            // MAX_SYMBOLS must be <= 64: a locate-table entry is {valid, 7 bits}.
            rg_unsupported_parameter u_err ();
        end else begin : g_unused
            wire unused_entry = ^entry[6:SYM_W];
        end
    endgenerate

    assign m_valid     = valid_q;
    assign m_pass      = pass_q;
    assign m_sym_valid = entry[7];
    assign m_sym       = entry[SYM_W-1:0];
    assign m_on_tick   = on_tick_q;
    assign busy        = sweep_q;
endmodule
`default_nettype wire
