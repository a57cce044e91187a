;; Sharing across instances: call_indirect type checks are structural across modules, a
;; shared table holds functions of several instances, imported globals place segments.
(module $a
  (type $ii (func (param i32) (result i32)))
  (table $t (export "table") 4 funcref)
  (global (export "base") i32 (i32.const 2))
  (memory (export "mem") 1)
  (func $double (export "double") (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (elem (i32.const 0) $double)
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
(register "a" $a)

(module $b
  ;; Declares the same signature under another index; it must still match $a's functions.
  (type $unused (func))
  (type $same (func (param i32) (result i32)))
  (import "a" "table" (table $t 4 funcref))
  (import "a" "base" (global $base i32))
  (import "a" "mem" (memory 1))
  (import "a" "double" (func $double (type $same)))
  (global $counter (mut i32) (i32.const 100))
  ;; Lives in $b but is called through $a's table: it must see $b's globals.
  (func $count (type $same)
    (global.set $counter (i32.add (global.get $counter) (local.get 0)))
    (global.get $counter))
  (func $wrong (param i64) (result i64) (local.get 0))
  (elem (table $t) (global.get $base) func $count $wrong)
  (data (global.get $base) "\11\22")
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect $t (type $same) (local.get 1) (local.get 0)))
  (func (export "call_double") (param i32) (result i32) (call $double (local.get 0)))
)

(assert_return (invoke $b "call_double" (i32.const 21)) (i32.const 42))
(assert_return (invoke $b "call" (i32.const 0) (i32.const 5)) (i32.const 10))
(assert_return (invoke $b "call" (i32.const 2) (i32.const 5)) (i32.const 105))
(assert_return (invoke $a "call" (i32.const 2) (i32.const 5)) (i32.const 110))
(assert_return (invoke $a "call" (i32.const 0) (i32.const 7)) (i32.const 14))
(assert_trap (invoke $a "call" (i32.const 3) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke $a "call" (i32.const 1) (i32.const 0)) "uninitialized element")
(assert_trap (invoke $a "call" (i32.const 4) (i32.const 0)) "undefined element")
(assert_return (invoke $a "load" (i32.const 2)) (i32.const 0x11))
(assert_return (invoke $a "load" (i32.const 3)) (i32.const 0x22))

;; A failed instantiation (data segment out of bounds) keeps the element segments written
;; before it, in Wasm 2.0 order: elements first, then data.
(assert_trap
  (module
    (import "a" "table" (table 4 funcref))
    (import "a" "mem" (memory 1))
    (func $seven (param i32) (result i32) (i32.const 7))
    (elem (i32.const 1) $seven)
    (data (i32.const 65535) "\01\02"))
  "out of bounds memory access")
(assert_return (invoke $a "call" (i32.const 1) (i32.const 0)) (i32.const 7))

;; Multi-value through br_table and nested loops carrying values to an outer label.
(module
  (func (export "pick") (param i32) (result i32 i32)
    (block $b (result i32 i32)
      (block $a (result i32 i32)
        (br_table $a $b (i32.const 1) (i32.const 2) (local.get 0)))
      (return (i32.const 10) (i32.const 20))))
  (func (export "nested") (param i32) (result i32) (local $i i32) (local $j i32) (local $n i32)
    ;; Counts the (i, j) pairs with 0 <= j < i < param.
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (local.set $j (i32.const 0))
        (block $inner_done
          (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $j) (local.get $i)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $n))
)
(assert_return (invoke "pick" (i32.const 0)) (i32.const 10) (i32.const 20))
(assert_return (invoke "pick" (i32.const 1)) (i32.const 1) (i32.const 2))
(assert_return (invoke "pick" (i32.const 7)) (i32.const 1) (i32.const 2))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 0))
(assert_return (invoke "nested" (i32.const 10)) (i32.const 45))
(assert_return (invoke "nested" (i32.const 100)) (i32.const 4950))
