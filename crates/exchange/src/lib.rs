//! The deterministic exchange model: venue rules, orders, fills, tiered margin, funding, liquidation, insurance fund and auto-deleveraging.
