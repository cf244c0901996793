"""Certificates anyone can verify (issue 13 §5): one PDF per eligible learner, each carrying a code
signed with the issuer's Ed25519 key that `coursepack certificates verify` checks offline.

  settings.py     certificates.yaml beside course.yaml: paper, provider, topic, hours, time zone...
  keys.py         the issuer's key: make, load (0600, never in a course folder), fingerprint
  signed_code.py  the certificate id and the signed verification code; checking one
  eligible.py     who gets one: eligible learners from the report store, dates kept once issued
  qr.py           the QR code (segno, SVG) pointing to the verification
  qr_fast.py      the same QR symbols as segno's, made about twenty times faster (checked against segno)
  wording.py      labels (English, Spanish), written-out dates, the mastery criterion as a sentence
  document.py     the data a certificate prints, and the PDF made from it with typst
                  (templates/certificate.typ)
  issue.py        all of it for a course: PDFs, the public key and an index in one folder
  verify.py       finding a code in a PDF, a URL or text, and checking it
"""
