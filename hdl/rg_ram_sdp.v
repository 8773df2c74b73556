// Simple dual-port RAM: one write port with lane write enables, one registered read port.
// Read-first: a read and a write of the same address in one cycle returns the old data.
// RW_OLD = 0: the data such a read returns is left undefined (the user never uses it, e.g.
// it forwards the write instead), so synthesis adds no collision logic after the RAM's
// output (yosys: no_rw_check; the simulation model still returns the old data).
// The read data register holds its value while rd_en is low. Contents are not reset:
// every user keeps its own validity (valid bits, occupancy bitmaps) cleared by reset.
`default_nettype none
module rg_ram_sdp #(
    parameter integer ADDR_W = 10,
    parameter integer WIDTH  = 32,
    parameter integer LANES  = 1,    // WIDTH must be a multiple of LANES
    parameter integer RW_OLD = 1     // 0: a read beside a write of its address is undefined
) (
    input  wire              clk,
    input  wire              wr_en,
    input  wire [LANES-1:0]  wr_be,
    input  wire [ADDR_W-1:0] wr_addr,
    input  wire [WIDTH-1:0]  wr_data,
    input  wire              rd_en,
    input  wire [ADDR_W-1:0] rd_addr,
    output wire [WIDTH-1:0]  rd_data
);
    initial begin
        if (ADDR_W < 1 || WIDTH < 1 || LANES < 1 || (WIDTH % LANES) != 0) begin
            $error("rg_ram_sdp: ADDR_W = %0d, WIDTH = %0d, LANES = %0d (WIDTH must be a multiple of LANES) (instance %m)",
                   ADDR_W, WIDTH, LANES);
            $finish;
        end
    end

    localparam integer LANE_W = WIDTH / LANES;
    localparam integer DEPTH  = 1 << ADDR_W;

    reg [WIDTH-1:0] rd_data_q;

    integer l;
    generate
        if (RW_OLD != 0) begin : g_old
            reg [WIDTH-1:0] mem [0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_en) begin
                    for (l = 0; l < LANES; l = l + 1) begin
                        if (wr_be[l]) mem[wr_addr][l*LANE_W +: LANE_W] <= wr_data[l*LANE_W +: LANE_W];
                    end
                end
                if (rd_en) rd_data_q <= mem[rd_addr];
            end
        end else begin : g_any
            (* no_rw_check *) reg [WIDTH-1:0] mem [0:DEPTH-1];
            always @(posedge clk) begin
                if (wr_en) begin
                    for (l = 0; l < LANES; l = l + 1) begin
                        if (wr_be[l]) mem[wr_addr][l*LANE_W +: LANE_W] <= wr_data[l*LANE_W +: LANE_W];
                    end
                end
                if (rd_en) rd_data_q <= mem[rd_addr];
            end
        end
    endgenerate

    assign rd_data = rd_data_q;
endmodule
`default_nettype wire
