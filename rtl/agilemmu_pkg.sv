// Shared encodings of the agilemmu walker. Every numeric value equals the C++ enum in
// <agilemmu/pt/walk.h> / <agilemmu/pt/format.h>, so the co-simulation compares raw port values.
package agilemmu_pkg;

  typedef enum logic [1:0] { MODE_NATIVE = 2'd0, MODE_NESTED = 2'd1, MODE_SHADOW = 2'd2, MODE_AGILE = 2'd3 } mode_e;
  typedef enum logic [1:0] { ACC_READ = 2'd0, ACC_WRITE = 2'd1, ACC_FETCH = 2'd2 } access_e;
  typedef enum logic [0:0] { PORT_COMPOUND = 1'd0, PORT_NESTED = 1'd1 } port_e;
  typedef enum logic [2:0] {
    TBL_NATIVE = 3'd0, TBL_SHADOW = 3'd1, TBL_COMPOUND = 3'd2, TBL_GUEST = 3'd3, TBL_NESTED = 3'd4
  } table_e;
  typedef enum logic [2:0] {
    STAGE_NONE = 3'd0, STAGE_NATIVE = 3'd1, STAGE_SHADOW = 3'd2, STAGE_COMPOUND = 3'd3,
    STAGE_GUEST = 3'd4, STAGE_NESTED = 3'd5
  } stage_e;
  typedef enum logic [2:0] {
    FK_NONE = 3'd0, FK_NOT_PRESENT = 3'd1, FK_RESERVED = 3'd2, FK_PERMISSION = 3'd3,
    FK_NON_CANONICAL = 3'd4, FK_ADDRESS_SIZE = 3'd5
  } fault_kind_e;
  // pt::PageSize
  typedef enum logic [1:0] { PS_4K = 2'd0, PS_2M = 2'd1, PS_1G = 2'd2 } page_size_e;

  // x86 #PF error code (pt::ec); FINAL / GUEST_TABLE follow AMD #NPF.
  localparam logic [63:0] EC_P           = 64'h1;
  localparam logic [63:0] EC_W           = 64'h2;
  localparam logic [63:0] EC_U           = 64'h4;
  localparam logic [63:0] EC_RSVD        = 64'h8;
  localparam logic [63:0] EC_I           = 64'h10;
  localparam logic [63:0] EC_FINAL       = 64'h1_0000_0000;
  localparam logic [63:0] EC_GUEST_TABLE = 64'h2_0000_0000;

  // PTE bits (pt::pte).
  localparam int PTE_P  = 0;
  localparam int PTE_RW = 1;
  localparam int PTE_US = 2;
  localparam int PTE_A  = 5;
  localparam int PTE_D  = 6;
  localparam int PTE_PS = 7;
  localparam int PTE_NX = 63;
  localparam logic [63:0] PTE_A_MASK = 64'h20;
  localparam logic [63:0] PTE_D_MASK = 64'h40;
  localparam logic [63:0] ADDR_FIELD = 64'h000f_ffff_ffff_f000;  // bits 51:12

endpackage
