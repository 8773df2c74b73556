// One bank of the order table (spec section 5): 2^SET_BITS sets x WAYS ways of ENTRY_W-bit
// entries, the reference in the entry's top 64 bits.
//
// Storage: a line RAM holding the WAYS entries of a set side by side (a set is read whole
// and written whole: the table writes only the set it has just read, with one way changed,
// so no way write enables are needed and the line maps onto wide URAM columns), and a
// valid-bit RAM holding the WAYS valid bits of VSETS sets per word (lane write enables, a
// word of at most 64 bits) that a sweep clears after reset in 2^SET_BITS / VSETS cycles.
// Lines are never cleared: a way counts only where its valid bit is set.
//
// Read: rd_en with rd_set in cycle t; from t+1 (until the next read) the set's line and its
// valid bits (the user compares the references, after its bypass). Write: wr_en writes
// wr_line, wr_valid_en writes the valid bits of wr_set. A read returns what was written
// before its cycle (a write in the read's cycle is not seen: the user forwards it; the
// line read beside a write of its set is undefined in hardware, the valid bits the old ones).
`default_nettype none
`include "rg_contract.vh"
module rg_order_bank #(
    parameter integer SET_BITS = 17,
    parameter integer WAYS     = 4,
    parameter integer ENTRY_W  = 149
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire                    rd_en,
    input  wire [SET_BITS-1:0]     rd_set,
    output wire [WAYS*ENTRY_W-1:0] line,
    output wire [WAYS-1:0]         vbits,

    input  wire                    wr_en,
    input  wire                    wr_valid_en,
    input  wire [SET_BITS-1:0]     wr_set,
    input  wire [WAYS*ENTRY_W-1:0] wr_line,
    input  wire [WAYS-1:0]         wr_vbits,

    output wire                    busy
);
    initial begin
        `RG_CHECK_SET_BITS(SET_BITS)
        `RG_CHECK_WAYS(WAYS)
        if (ENTRY_W < 64) begin
            $error("rg_order_bank: ENTRY_W = %0d cannot hold a 64-bit reference (instance %m)", ENTRY_W);
            $finish;
        end
    end

    // valid sets per word: the largest power of two with VSETS * WAYS <= 64, and at least
    // two words (floor(log2(64 / WAYS)) = clog2(64 / WAYS + 1) - 1)
    localparam integer VS_FIT = $clog2(64 / WAYS + 1) - 1;
    localparam integer VS_W   = (VS_FIT < SET_BITS) ? VS_FIT : SET_BITS - 1;
    localparam integer VSETS  = 1 << VS_W;
    localparam integer VAW    = SET_BITS - VS_W;

    // ---------------------------------------------------------------- clear sweep
    reg           sweep_q;
    reg [VAW-1:0] sweep_addr_q;
    reg [VS_W-1:0] rd_lane_q;
    always @(posedge clk) begin
        if (rst) begin
            sweep_q      <= 1'b1;
            sweep_addr_q <= {VAW{1'b0}};
            rd_lane_q    <= {VS_W{1'b0}};
        end else begin
            if (sweep_q) begin
                sweep_addr_q <= sweep_addr_q + 1'b1;
                if (&sweep_addr_q) sweep_q <= 1'b0;
            end
            if (rd_en) rd_lane_q <= rd_set[VS_W-1:0];
        end
    end

    // ---------------------------------------------------------------- valid bits
    wire [VSETS*WAYS-1:0] vword;
    wire [VS_W-1:0]       wr_lane = wr_set[VS_W-1:0];
    wire [VSETS-1:0]      v_be    = sweep_q ? {VSETS{1'b1}} : ({{(VSETS-1){1'b0}}, 1'b1} << wr_lane);
    rg_ram_sdp #(.ADDR_W(VAW), .WIDTH(VSETS*WAYS), .LANES(VSETS)) u_valid (
        .clk(clk),
        .wr_en(sweep_q || wr_valid_en), .wr_be(v_be),
        .wr_addr(sweep_q ? sweep_addr_q : wr_set[SET_BITS-1:VS_W]),
        .wr_data(sweep_q ? {(VSETS*WAYS){1'b0}} : {VSETS{wr_vbits}}),
        .rd_en(rd_en), .rd_addr(rd_set[SET_BITS-1:VS_W]), .rd_data(vword)
    );
    assign vbits = vword[WAYS*rd_lane_q +: WAYS];

    // ---------------------------------------------------------------- lines
    // a read beside a write of its set is forwarded by the user (rg_order_table): the RAM's
    // data for it is not used, so no collision logic behind the block RAM (RW_OLD = 0)
    rg_ram_sdp #(.ADDR_W(SET_BITS), .WIDTH(WAYS*ENTRY_W), .LANES(1), .RW_OLD(0)) u_lines (
        .clk(clk),
        .wr_en(wr_en), .wr_be(1'b1), .wr_addr(wr_set), .wr_data(wr_line),
        .rd_en(rd_en), .rd_addr(rd_set), .rd_data(line)
    );

    assign busy = sweep_q;
endmodule
`default_nettype wire
