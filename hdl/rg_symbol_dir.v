// Symbol directory (spec section 3.2): the locate table (stock locate -> symbol index or
// none) and the name match of R messages against the configured symbols.
//
// A lookup unit beside the parser stage: the parser presents the locate (and, for an R
// message, the stock name) of the message it accepts; the entry is read in that cycle and
// is valid when the parser's output register is (held while rd_en is low). An R message
// writes its entry in the same cycle (its own read returns the old entry, which nothing
// uses); the next message reads one cycle later, so there is no read-after-write hazard.
// The table is 2^16 one-byte entries {valid, index} packed LOC_PER_WORD to a RAM word with
// byte write enables, so the clear sweep after reset takes 2^16 / LOC_PER_WORD cycles.
`default_nettype none
`include "rg_contract.vh"
module rg_symbol_dir #(
    parameter integer MAX_SYMBOLS = 64,
    parameter integer SYM_W       = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1
) (
    input  wire                      clk,
    input  wire                      rst,

    input  wire [MAX_SYMBOLS*64-1:0] cfg_names,     // symbol i at [64i +: 64], first char in the MSB
    input  wire [7:0]                cfg_n_symbols,

    input  wire                      rd_en,         // a message is accepted: look its locate up
    input  wire                      wr_en,         // ... and it is a well-formed R message
    input  wire [15:0]               locate,
    input  wire [63:0]               stock,

    output wire                      sym_valid,     // the entry read last
    output wire [SYM_W-1:0]          sym,
    output wire                      busy           // clearing after reset
);
    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)       // a locate entry is {valid, 7 bits}
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1)) begin
            $error("rg_symbol_dir: SYM_W = %0d differs from its derivation (instance %m)", SYM_W);
            $finish;
        end
    end

    localparam integer LOC_PER_WORD = 8;
    localparam integer WORD_AW      = 16 - $clog2(LOC_PER_WORD);

    // ---------------------------------------------------------------- clear sweep
    reg               sweep_q;
    reg [WORD_AW-1:0] sweep_addr_q;
    reg [2:0]         sel_q;

    // ---------------------------------------------------------------- name match
    reg             match_found;
    reg [SYM_W-1:0] match_idx;
    integer i;
    always @(*) begin
        match_found = 1'b0;
        match_idx   = {SYM_W{1'b0}};
        for (i = MAX_SYMBOLS - 1; i >= 0; i = i - 1) begin
            if (i < cfg_n_symbols && cfg_names[64*i +: 64] == stock) begin
                match_found = 1'b1;
                match_idx   = i[SYM_W-1:0];
            end
        end
    end

    wire [7:0] new_entry = {match_found, {(7-SYM_W){1'b0}}, match_idx};

    // ---------------------------------------------------------------- locate table
    wire                    we      = sweep_q || wr_en;
    wire [LOC_PER_WORD-1:0] wr_be   = sweep_q ? {LOC_PER_WORD{1'b1}}
                                              : ({{(LOC_PER_WORD-1){1'b0}}, 1'b1} << locate[2:0]);
    wire [WORD_AW-1:0]      wr_addr = sweep_q ? sweep_addr_q : locate[15:3];
    wire [63:0]             wr_data = sweep_q ? 64'd0 : {LOC_PER_WORD{new_entry}};
    wire [63:0]             rd_word;

    rg_ram_sdp #(.ADDR_W(WORD_AW), .WIDTH(64), .LANES(LOC_PER_WORD)) u_locate (
        .clk(clk),
        .wr_en(we), .wr_be(wr_be), .wr_addr(wr_addr), .wr_data(wr_data),
        .rd_en(rd_en), .rd_addr(locate[15:3]), .rd_data(rd_word)
    );

    always @(posedge clk) begin
        if (rst) begin
            sweep_q      <= 1'b1;
            sweep_addr_q <= {WORD_AW{1'b0}};
            sel_q        <= 3'd0;
        end else begin
            if (sweep_q) begin
                sweep_addr_q <= sweep_addr_q + 1'b1;
                if (&sweep_addr_q) sweep_q <= 1'b0;
            end
            if (rd_en) sel_q <= locate[2:0];
        end
    end

    wire [7:0] entry = rd_word[8*sel_q +: 8];
    generate
        if (SYM_W < 7) begin : g_unused     // SYM_W > 6 is refused above
            wire unused_entry = ^entry[6:SYM_W];
        end
    endgenerate

    assign sym_valid = entry[7];
    assign sym       = entry[SYM_W-1:0];
    assign busy      = sweep_q;
endmodule
`default_nettype wire
