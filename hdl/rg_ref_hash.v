// Home sets of an order reference (spec section 5), combinational:
//   h0 (bank 0): XOR fold of the 64-bit reference in SET_BITS-bit slices from bit 0 upward
//                (the last slice zero-extended)
//   h1 (bank 1): the low SET_BITS bits of CRC-32C (reflected polynomial 0x82F63B78, initial
//                value and final XOR 0xFFFFFFFF) of the reference's 8 bytes, least
//                significant byte first
// CRC is affine over GF(2): h1[j] = parity(ref & CRC_MASK(j)) ^ CRC(0)[j], with the masks
// computed at elaboration, so each bit of h1 is one XOR tree of at most 64 inputs (three
// LUT6 levels), as each bit of h0 is one of at most 64 / SET_BITS + 1.
`default_nettype none
`include "rg_contract.vh"
module rg_ref_hash #(
    parameter integer SET_BITS = 17
) (
    input  wire [63:0]         ref_in,
    output wire [SET_BITS-1:0] h0,
    output wire [SET_BITS-1:0] h1
);
    initial begin
        `RG_CHECK_SET_BITS(SET_BITS)
        // h1 takes the low SET_BITS bits of a 32-bit CRC
        if (SET_BITS > 32) begin
            $error("rg_ref_hash: SET_BITS = %0d above the 32 bits of CRC-32C (instance %m)", SET_BITS);
            $finish;
        end
    end

    localparam [31:0] CRC_POLY = 32'h82F63B78;

    // CRC-32C of the 64 reference bits in transmission order: byte 0 first, each byte
    // least significant bit first (the reflected CRC), i.e. ref bit 0, 1, ... 63
    function [31:0] crc32c_u64(input [63:0] r);
        integer i;
        reg [31:0] c;
        begin
            c = 32'hFFFFFFFF;
            for (i = 0; i < 64; i = i + 1)
                c = (c >> 1) ^ ((c[0] ^ r[i]) ? CRC_POLY : 32'd0);
            crc32c_u64 = ~c;
        end
    endfunction

    // the reference bits that bit j of the CRC depends on
    function [63:0] crc_mask(input integer j);
        integer b;
        reg [31:0] z;
        begin
            z = crc32c_u64(64'd0);
            crc_mask = 64'd0;
            for (b = 0; b < 64; b = b + 1)
                crc_mask[b] = |(((crc32c_u64(64'd1 << b) ^ z) >> j) & 32'd1);
        end
    endfunction

    localparam [31:0] CRC_ZERO = crc32c_u64(64'd0);
    localparam integer N_SLICES = (64 + SET_BITS - 1) / SET_BITS;

    genvar j, s;
    generate
        for (j = 0; j < SET_BITS; j = j + 1) begin : g_bit
            localparam [63:0] MASK = crc_mask(j);
            assign h1[j] = (^(ref_in & MASK)) ^ CRC_ZERO[j];
            // h0: bit j of every slice
            wire [N_SLICES-1:0] fold;
            for (s = 0; s < N_SLICES; s = s + 1) begin : g_slice
                if (s * SET_BITS + j < 64) begin : g_in
                    assign fold[s] = ref_in[s * SET_BITS + j];
                end else begin : g_pad
                    assign fold[s] = 1'b0;
                end
            end
            assign h0[j] = ^fold;
        end
    endgenerate
endmodule
`default_nettype wire
