// Package model holds swtoken's domain types and every rule of the product
// specification (docs/product.md, section 2) that can be checked without
// storage: tokens, users, software token profiles and device classes,
// self-service settings, distribution job drafts, password modes and limits,
// selection criteria and eligibility.
//
// Each rule lives here once, so the console, the headless command line, the
// store and the engine cannot drift apart. The package does no I/O and
// imports only the standard library: no other swtoken package, no bbolt and
// no Bubble Tea. Rules that need the store (uniqueness, "a profile in use
// cannot be deleted", "a user holds at most 3 tokens" over the whole
// inventory) are expressed as pure functions that take what the store knows
// (for example a key to compare, or a count) and decide.
//
// Validation returns a *FieldError, or FieldErrors when several fields can
// be wrong at once, so each message can be shown at the field it concerns.
// No error ever contains a password.
package model
