//! Packet-set analyses (placeholder until reach/exposure land).
