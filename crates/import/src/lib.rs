//! Importers of the market-data formats users have (Binance public data, Tardis.dev CSV, forceOrder captures, raw websocket captures) into cascade events.
