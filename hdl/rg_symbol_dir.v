// Symbol directory (spec section 3.2): the locate table (stock locate -> symbol index or
// none) and the name match of R messages against the configured symbols.
//
// A lookup unit beside the parser stage: the parser presents the locate (and, for an R
// message, the stock name) of the message it accepts; the entry is read in that cycle and
// is valid when the parser's output register is (held while rd_en is low). An R message
// writes its entry in the same cycle (its own read returns the old entry, which nothing
// uses); the next message reads one cycle later, so there is no read-after-write hazard.
// The table is 2^16 entries {valid, index} in four banks of 2^14 (by the locate's top two
// bits); the clear sweep after reset writes all four at once, so it takes 2^14 cycles.
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

    // The table is banked by the locate's top two bits: BANKS RAMs of 2^14 entries, each entry
    // only {valid, index} (ENTRY_W bits), so a bank bit is one 16384 x 1 DP16KD on the ECP5
    // (the 8192 x 64 word with byte lanes needed a 16:1 depth and an 8:1 lane select after
    // the block RAM: 4 LUT levels, 134.7 MHz).
    localparam integer BANKS   = 4;
    localparam integer BANK_AW = 16 - $clog2(BANKS);
    localparam integer ENTRY_W = 1 + SYM_W;

    // ---------------------------------------------------------------- clear sweep
    reg               sweep_q;
    reg [BANK_AW-1:0] sweep_addr_q;

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

    wire [ENTRY_W-1:0] new_entry = {match_found, match_idx};

    // ---------------------------------------------------------------- locate table
    // Four bank RAMs, each read at the locate's low 14 bits; a read of a bank the locate is
    // not in zeroes that bank's read register (a synchronous reset of the block RAM's output,
    // RESETMODE SYNC on the DP16KD, not a LUT), so the entry is the OR of the four: one LUT
    // level after the block RAMs. Read-first; a read register holds while rd_en is low.
    // The sweep clears the same address in every bank at once (2^14 cycles).
    wire [BANK_AW-1:0] wr_addr = sweep_q ? sweep_addr_q : locate[BANK_AW-1:0];
    wire [ENTRY_W-1:0] wr_data = sweep_q ? {ENTRY_W{1'b0}} : new_entry;
    wire [BANKS-1:0]   in_bank = {{(BANKS-1){1'b0}}, 1'b1} << locate[15:BANK_AW];
    wire [ENTRY_W-1:0] bank_rd [0:BANKS-1];

    genvar b;
    generate
        for (b = 0; b < BANKS; b = b + 1) begin : g_bank
            reg [ENTRY_W-1:0] mem [0:(1 << BANK_AW)-1];
            reg [ENTRY_W-1:0] rd_q;
            always @(posedge clk) begin
                if (sweep_q || (wr_en && in_bank[b])) mem[wr_addr] <= wr_data;
                if (rd_en) rd_q <= in_bank[b] ? mem[locate[BANK_AW-1:0]] : {ENTRY_W{1'b0}};
            end
            assign bank_rd[b] = rd_q;
        end
    endgenerate

    wire [ENTRY_W-1:0] entry = bank_rd[0] | bank_rd[1] | bank_rd[2] | bank_rd[3];

    always @(posedge clk) begin
        if (rst) begin
            sweep_q      <= 1'b1;
            sweep_addr_q <= {BANK_AW{1'b0}};
        end else begin
            if (sweep_q) begin
                sweep_addr_q <= sweep_addr_q + 1'b1;
                if (&sweep_addr_q) sweep_q <= 1'b0;
            end
        end
    end

    assign sym_valid = entry[ENTRY_W-1];
    assign sym       = entry[SYM_W-1:0];
    assign busy      = sweep_q;
endmodule
`default_nettype wire
