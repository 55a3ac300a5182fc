"""Quality labels: awards such as Austria's RECC label, with issuer, validity and holders."""
