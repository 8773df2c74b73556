// Set-associative order table (spec section 5): 2^SET_BITS sets x WAYS ways.
//
// Set index: XOR fold of the 64-bit reference in SET_BITS-bit slices from bit 0 up.
// Storage: one RAM per way holding the entry {ref, symbol, side, price, shares, class,
// idx}, and a valid-bit RAM holding the WAYS valid bits of VALID_SETS_PER_WORD sets per
// word (lane write enables), so the clear sweep after reset takes
// 2^SET_BITS / VALID_SETS_PER_WORD cycles. Entry RAMs are never cleared.
//
// Read port: rd_en with rd_ref in cycle t; in cycle t+1 the set's ways are compared with
// the reference: hit/hit_way/hit_entry (the valid way with the same ref, lowest way first),
// free/free_way (the lowest invalid way) and the set's valid vector.
// Write port: wr_entry_en writes an entry into (wr_set, wr_way); wr_valid_en writes the
// whole valid vector of wr_set. The user orders its reads after its writes.
`default_nettype none
`include "rg_contract.vh"
module rg_order_table #(
    parameter integer SET_BITS = 14,
    parameter integer WAYS     = 4,
    parameter integer SYM_W    = 6,
    parameter integer IDX_W    = 12,
    parameter integer ENTRY_W  = 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W,
    parameter integer WAY_W    = (WAYS > 1) ? $clog2(WAYS) : 1
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire                   rd_en,
    input  wire [63:0]            rd_ref,
    output wire [SET_BITS-1:0]    rd_set,       // set of the reference read last
    output wire [WAYS-1:0]        rd_valid_bits,
    output wire                   hit,
    output wire [WAY_W-1:0]       hit_way,
    output wire [ENTRY_W-1:0]     hit_entry,
    output wire                   free,
    output wire [WAY_W-1:0]       free_way,

    input  wire                   wr_entry_en,
    input  wire                   wr_valid_en,
    input  wire [SET_BITS-1:0]    wr_set,
    input  wire [WAY_W-1:0]       wr_way,
    input  wire [ENTRY_W-1:0]     wr_entry,
    input  wire [WAYS-1:0]        wr_valid_bits,

    output wire                   busy
);
    initial begin
        `RG_CHECK_SET_BITS(SET_BITS)
        `RG_CHECK_WAYS(WAYS)
        // an entry holds a 6-bit symbol (spec section 5) and a level index of the window
        if (SYM_W < 1 || SYM_W > $clog2(`RG_MAX_SYMBOLS_MAX) || IDX_W < $clog2(`RG_WINDOW_TICKS_MIN)
            || IDX_W > $clog2(`RG_WINDOW_TICKS_MAX) || ENTRY_W != 64 + SYM_W + 1 + 32 + 32 + 2 + IDX_W
            || WAY_W != ((WAYS > 1) ? $clog2(WAYS) : 1)) begin
            $error("rg_order_table: SYM_W = %0d, IDX_W = %0d, ENTRY_W = %0d, WAY_W = %0d are inconsistent (instance %m)",
                   SYM_W, IDX_W, ENTRY_W, WAY_W);
            $finish;
        end
    end

    localparam integer VSPW_W    = (SET_BITS < 3) ? SET_BITS : 3;   // log2(valid sets per word)
    localparam integer VSPW      = 1 << VSPW_W;
    localparam integer VAW       = (SET_BITS > VSPW_W) ? SET_BITS - VSPW_W : 1;
    localparam integer N_SLICES  = (64 + SET_BITS - 1) / SET_BITS;

    // ---------------------------------------------------------------- set hash
    function [SET_BITS-1:0] set_of(input [63:0] r);
        integer s, bit_i;
        reg [SET_BITS-1:0] acc;
        begin
            acc = {SET_BITS{1'b0}};
            for (s = 0; s < N_SLICES; s = s + 1)
                for (bit_i = 0; bit_i < SET_BITS; bit_i = bit_i + 1)
                    if (s * SET_BITS + bit_i < 64) acc[bit_i] = acc[bit_i] ^ r[s * SET_BITS + bit_i];
            set_of = acc;
        end
    endfunction

    wire [SET_BITS-1:0] set_rd = set_of(rd_ref);

    // valid-RAM word address and lane of a set (all sets share word 0 when SET_BITS <= 3)
    wire [VAW-1:0]    rd_vaddr, wr_vaddr;
    wire [VSPW_W-1:0] wr_lane, q_lane;
    reg  [SET_BITS-1:0] set_q;
    generate
        if (SET_BITS > VSPW_W) begin : g_vaddr
            assign rd_vaddr = set_rd[SET_BITS-1:VSPW_W];
            assign wr_vaddr = wr_set[SET_BITS-1:VSPW_W];
            assign wr_lane  = wr_set[VSPW_W-1:0];
            assign q_lane   = set_q[VSPW_W-1:0];
        end else begin : g_vaddr0
            assign rd_vaddr = {VAW{1'b0}};
            assign wr_vaddr = {VAW{1'b0}};
            assign wr_lane  = wr_set;
            assign q_lane   = set_q;
        end
    endgenerate

    // ---------------------------------------------------------------- clear sweep
    reg           sweep_q;
    reg [VAW-1:0] sweep_addr_q;

    reg [63:0]         ref_q;
    always @(posedge clk) begin
        if (rst) begin
            sweep_q      <= 1'b1;
            sweep_addr_q <= {VAW{1'b0}};
            ref_q        <= 64'd0;
            set_q        <= {SET_BITS{1'b0}};
        end else begin
            if (sweep_q) begin
                sweep_addr_q <= sweep_addr_q + 1'b1;
                if (&sweep_addr_q) sweep_q <= 1'b0;
            end
            if (rd_en) begin
                ref_q <= rd_ref;
                set_q <= set_rd;
            end
        end
    end

    // ---------------------------------------------------------------- valid bits
    wire [VSPW*WAYS-1:0] vword;
    wire [VSPW-1:0]      v_be   = sweep_q ? {VSPW{1'b1}}
                                          : ({{(VSPW-1){1'b0}}, 1'b1} << wr_lane);
    rg_ram_sdp #(.ADDR_W(VAW), .WIDTH(VSPW*WAYS), .LANES(VSPW)) u_valid (
        .clk(clk),
        .wr_en(sweep_q || wr_valid_en), .wr_be(v_be),
        .wr_addr(sweep_q ? sweep_addr_q : wr_vaddr),
        .wr_data(sweep_q ? {(VSPW*WAYS){1'b0}} : {VSPW{wr_valid_bits}}),
        .rd_en(rd_en), .rd_addr(rd_vaddr), .rd_data(vword)
    );
    wire [WAYS-1:0] vbits = vword[WAYS*q_lane +: WAYS];

    // ---------------------------------------------------------------- ways
    wire [ENTRY_W*WAYS-1:0] ways_data;
    genvar w;
    generate
        for (w = 0; w < WAYS; w = w + 1) begin : g_way
            rg_ram_sdp #(.ADDR_W(SET_BITS), .WIDTH(ENTRY_W), .LANES(1)) u_way (
                .clk(clk),
                .wr_en(wr_entry_en && wr_way == w[WAY_W-1:0]), .wr_be(1'b1),
                .wr_addr(wr_set), .wr_data(wr_entry),
                .rd_en(rd_en), .rd_addr(set_rd), .rd_data(ways_data[ENTRY_W*w +: ENTRY_W])
            );
        end
    endgenerate

    // ---------------------------------------------------------------- compare
    reg [WAYS-1:0] match;
    integer m;
    always @(*) begin
        for (m = 0; m < WAYS; m = m + 1)
            match[m] = vbits[m] && (ways_data[ENTRY_W*m + ENTRY_W - 64 +: 64] == ref_q);
    end
    rg_prio_enc #(.WIDTH(WAYS), .MSB_FIRST(0), .IDX_W(WAY_W)) u_hit  (.in(match),  .idx(hit_way),  .found(hit));
    rg_prio_enc #(.WIDTH(WAYS), .MSB_FIRST(0), .IDX_W(WAY_W)) u_free (.in(~vbits), .idx(free_way), .found(free));

    assign hit_entry     = ways_data[ENTRY_W*hit_way +: ENTRY_W];
    assign rd_set        = set_q;
    assign rd_valid_bits = vbits;
    assign busy          = sweep_q;
endmodule
`default_nettype wire
