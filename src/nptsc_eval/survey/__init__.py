"""The participant survey (Appendix 2): codebook, synthetic microdata, export loading, analysis."""
