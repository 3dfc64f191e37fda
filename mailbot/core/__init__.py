"""Pure domain: mail model, text folding, units registry, subject grammar, verdicts. No I/O."""
