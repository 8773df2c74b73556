// riskgate shared constants (spec docs/spec.md), as macros so that every stage can use
// the subset it needs. Included at the top of each file that uses them.
`ifndef RG_DEFS_VH
`define RG_DEFS_VH


// Internal message operations (parser -> symbol directory -> book engine).
`define RG_OP_NONE       4'd0  // counted, no effect (skipped types)
`define RG_OP_PREC       4'd1  // a prebuilt PROBLEM or BAD_CONTROL record, no effect
`define RG_OP_SYS        4'd2  // S
`define RG_OP_DIR        4'd3  // R
`define RG_OP_HALT       4'd4  // H
`define RG_OP_MWCB       4'd5  // W
`define RG_OP_ADD        4'd6  // A, F
`define RG_OP_EXEC       4'd7  // E
`define RG_OP_EXECP      4'd8  // C
`define RG_OP_CANCEL     4'd9  // X
`define RG_OP_DELETE     4'd10  // D
`define RG_OP_REPLACE    4'd11  // U
`define RG_OP_TRADE      4'd12  // P
`define RG_OP_CTRL       4'd13  // valid control message (record prebuilt too)

// Record kinds (spec section 11).
`define RG_REC_NONE      8'd0
`define RG_REC_TOB       8'd1
`define RG_REC_DECISION  8'd2
`define RG_REC_FILL      8'd3
`define RG_REC_CONTROL   8'd4
`define RG_REC_PROBLEM   8'd5

// Problem codes.
`define RG_PROB_BAD_LENGTH 8'd1
`define RG_PROB_UNKNOWN_TYPE 8'd2
`define RG_PROB_TRUNCATED 8'd3
`define RG_PROB_BAD_CONTROL 8'd4

// Order classes (spec section 4).
`define RG_CLS_IN        2'd0
`define RG_CLS_BELOW     2'd1
`define RG_CLS_ABOVE     2'd2
`define RG_CLS_OFFTICK   2'd3

// State updates carried to the risk stage in message order.
`define RG_UPD_NONE      3'd0
`define RG_UPD_MKT       3'd1  // S: code in upd_code
`define RG_UPD_HALT      3'd2  // H: upd_sym, state in upd_code
`define RG_UPD_MWCB      3'd3  // W with level 1..3
`define RG_UPD_LAST      3'd4  // last_trade[upd_sym] := upd_val[31:0]
`define RG_UPD_CTRL      3'd5  // control op upd_code, target upd_target, value upd_val

// Event bundle carried from the book engine to the formatter (fixed layout).
`define RG_EV_SEQ_LO     0  // 48 bits  record seq
`define RG_EV_TS_LO      48  // 48 bits  record ts
`define RG_EV_TOFF_LO    96  // 64 bits  cycle the message's first beat was offered
`define RG_EV_TLAST_LO   160  // 64 bits  cycle the beat with its last byte was accepted
`define RG_EV_RKIND_LO   224  // 8 bits   prebuilt record kind (0, CONTROL, PROBLEM)
`define RG_EV_RSYM_LO    232  // 8 bits   prebuilt record symbol byte
`define RG_EV_RAUX_LO    240  // 8 bits   prebuilt record aux byte
`define RG_EV_RPAY_LO    248  // 128 bits prebuilt record bytes 16..31
`define RG_EV_UKIND_LO   376  // 3 bits   UPD_*
`define RG_EV_USYM_LO    379  // 8 bits
`define RG_EV_UCODE_LO   387  // 8 bits
`define RG_EV_UVAL_LO    395  // 64 bits
`define RG_EV_UTGT_LO    459  // 16 bits
`define RG_EV_W          475

`define RG_ASCII_B       8'h42
`define RG_ASCII_S       8'h53
`define RG_ASCII_T       8'h54
`define RG_ASCII_H       8'h48
`define RG_ASCII_Y       8'h59
`define RG_ASCII_Q       8'h51
`define RG_ASCII_M       8'h4D
`define RG_ASCII_TILDE   8'h7E

`endif
