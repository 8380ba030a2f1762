-- The status table ocsp-responder reads: OCSP_MySql's list_certs, unchanged.
-- cert_num holds the serial as 0x plus hex (Python's hex(): lowercase, no leading zeros);
-- rows written with leading zeros or capitals are found too.
-- revocation_time is UTC.
CREATE TABLE IF NOT EXISTS list_certs (
  cert_num varchar(50) NOT NULL,
  revocation_time datetime DEFAULT NULL,
  revocation_reason enum('unspecified','key_compromise','ca_compromise','affiliation_changed','superseded',
    'cessation_of_operation','certificate_hold','privilege_withdrawn','aa_compromise') DEFAULT NULL,
  cert blob NOT NULL,
  status enum('Valid','Revoked') NOT NULL DEFAULT 'Valid',
  PRIMARY KEY (cert_num)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
