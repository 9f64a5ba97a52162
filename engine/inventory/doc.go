// Package inventory fills the store with tokens and users: it imports token
// record files (the SDTID/TKNBatch format, one or more TKN per file) and
// user CSV files, and it generates the demo inventory.
//
// The rules live in model and the persistence in store; this package turns
// outside input into model values, reports bad input per file or line, and
// hands the result to the store's all-or-nothing imports. Clear seeds exist
// here only between reading a file and sealing them with the store key, and
// are zeroed right after.
package inventory
