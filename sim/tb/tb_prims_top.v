// Testbench wrapper (simulation only): the small primitives side by side.
`default_nettype none
module tb_prims_top (
    input  wire        clk,
    input  wire        rst,
    // rg_fifo, 12-bit x 4
    input  wire        f_s_valid,
    output wire        f_s_ready,
    input  wire [11:0] f_s_data,
    output wire        f_m_valid,
    input  wire        f_m_ready,
    output wire [11:0] f_m_data,
    output wire [2:0]  f_count,
    // rg_fifo with BYPASS, same stimulus
    output wire        g_s_ready,
    output wire        g_m_valid,
    output wire [11:0] g_m_data,
    output wire [2:0]  g_count,
    // rg_prio_enc over 40 bits, both directions
    input  wire [39:0] p_in,
    output wire [5:0]  p_hi,
    output wire [5:0]  p_lo,
    output wire        p_found,
    // rg_popcount over the same 40 bits
    output wire [5:0]  p_count,
    // rg_ram_sdp 32 x 24 with 3 lanes
    input  wire        r_wr_en,
    input  wire [2:0]  r_wr_be,
    input  wire [4:0]  r_wr_addr,
    input  wire [23:0] r_wr_data,
    input  wire        r_rd_en,
    input  wire [4:0]  r_rd_addr,
    output wire [23:0] r_rd_data,
    // rg_ctrl_check
    input  wire [7:0]  c_op,
    input  wire [15:0] c_target,
    input  wire [63:0] c_value,
    input  wire [63:0] c_eff,
    input  wire [63:0] c_last,
    input  wire [7:0]  c_ns,
    input  wire [7:0]  c_na,
    output wire        c_valid,
    output wire        c_symt
);
    rg_fifo #(.WIDTH(12), .ADDR_W(2)) u_fifo (
        .clk(clk), .rst(rst), .s_valid(f_s_valid), .s_ready(f_s_ready), .s_data(f_s_data),
        .m_valid(f_m_valid), .m_ready(f_m_ready), .m_data(f_m_data), .count(f_count));
    rg_fifo #(.WIDTH(12), .ADDR_W(2), .BYPASS(1)) u_fifo_bp (
        .clk(clk), .rst(rst), .s_valid(f_s_valid), .s_ready(g_s_ready), .s_data(f_s_data),
        .m_valid(g_m_valid), .m_ready(f_m_ready), .m_data(g_m_data), .count(g_count));
    wire unused_found_lo;
    rg_prio_enc #(.WIDTH(40), .MSB_FIRST(1)) u_hi (.in(p_in), .idx(p_hi), .found(p_found));
    rg_prio_enc #(.WIDTH(40), .MSB_FIRST(0)) u_lo (.in(p_in), .idx(p_lo), .found(unused_found_lo));
    rg_popcount #(.WIDTH(40)) u_pop (.in(p_in), .count(p_count));
    rg_ram_sdp #(.ADDR_W(5), .WIDTH(24), .LANES(3)) u_ram (
        .clk(clk), .wr_en(r_wr_en), .wr_be(r_wr_be), .wr_addr(r_wr_addr), .wr_data(r_wr_data),
        .rd_en(r_rd_en), .rd_addr(r_rd_addr), .rd_data(r_rd_data));
    rg_ctrl_check u_ctrl (
        .op(c_op), .target(c_target), .value(c_value), .eff_seq(c_eff), .last_seq(c_last),
        .n_symbols(c_ns), .n_accounts(c_na), .valid(c_valid), .sym_target(c_symt));
endmodule
`default_nettype wire
