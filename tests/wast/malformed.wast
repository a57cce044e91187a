;; Binary modules that must not decode (assert_malformed), and odd ones that must.
;; Section ids: 0 custom, 1 type, 2 import, 3 function, 5 memory, 7 export, 10 code,
;; 11 data, 12 data count.

(module binary "\00asm" "\01\00\00\00")
(module binary "\00asm" "\01\00\00\00" "\00\06\04burh\ff")
(module binary "\00asm" "\01\00\00\00" "\00\01\00")
;; One function ()->() with an empty body; then the same with each part broken.
(module binary "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00" "\0a\04\01\02\00\0b")

(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00") "unexpected end")
(assert_malformed (module binary "\00ASM" "\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "asm\00" "\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm" "\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm" "\00\00\00\01") "unknown binary version")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\14\00") "malformed section id")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\01\05\00") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\01\03\01\60\00\00") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\00\02\05ab") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\00\03\02\c0\80") "malformed UTF-8 encoding")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\61\00\00")
  "integer representation too long")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\05\01\60\01\40\00")
  "malformed value type")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\06\80\80\80\80\80\00")
  "integer representation too long")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\05\ff\ff\ff\ff\7f")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00")
  "function and code section have inconsistent lengths")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\0a\04\01\02\00\0b")
  "function and code section have inconsistent lengths")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\03\01\00" "\01\01\00")
  "unexpected content after last section")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\01\00" "\01\01\00")
  "unexpected content after last section")
;; An opcode that Wasm 2.0 does not define.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\0a\05\01\03\00\27\0b")
  "illegal opcode")
;; memory.size's reserved byte must be zero.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01" "\0a\07\01\05\00\3f\01\1a\0b")
  "zero byte expected")
;; A body without its final end, and a body with bytes after its final end (wabt 1.0.32
;; accepts the latter; the spec decoder does not).
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\0a\04\01\02\00\01")
  "END opcode expected")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\0a\06\01\04\00\0b\01\0b")
  "section size mismatch")
;; Export name that is not UTF-8.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\07\05\01\01\ff\00\00" "\0a\04\01\02\00\0b")
  "malformed UTF-8 encoding")
;; A data count with no data section (wabt 1.0.32 accepts it; the spec decoder does not).
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\0c\01\01")
  "data count and data section have inconsistent lengths")
;; memory.init needs the data count section.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"
    "\0b\06\01\00\41\00\0b\00")
  "data count section required")
;; More than 2^32-1 locals in one function.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\0a\0c\01\0a\02\ff\ff\ff\ff\0f\7f\02\7f\0b")
  "too many locals")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\02\06\01\01\6d\01\66\04")
  "malformed import kind")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\04\01")
  "integer too large")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\07\05\01\01\66\05\00" "\0a\04\01\02\00\0b")
  "malformed export kind")
;; A function section naming more functions than the module has bytes for.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\05\ff\ff\ff\ff\0f")
  "unexpected end")
;; An i32.const whose LEB128 does not fit 32 bits.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00"
    "\01\05\01\60\00\01\7f" "\03\02\01\00" "\0a\0a\01\08\00\41\80\80\80\80\70\0b")
  "integer too large")
