"""One FTP session with Python's ftplib, for test/interop/ftp-server-python.test.ts.

Usage: ftplib-session.py PORT [CA-FILE]. With a CA file: FTP_TLS, AUTH TLS and PROT P. Logs in as
alice, then: MLSD, RETR (whole and with REST), STOR, SIZE, RNFR/RNTO, DELE, MKD/RMD, an ABOR in
the middle of a RETR, NOOP, QUIT. Prints what it saw as one line of JSON.
"""
import ftplib
import io
import json
import ssl
import sys

port = int(sys.argv[1])
ca_file = sys.argv[2] if len(sys.argv) > 2 else None
if ca_file is None:
    ftp = ftplib.FTP(timeout=20)
else:
    ftp = ftplib.FTP_TLS(context=ssl.create_default_context(cafile=ca_file), timeout=20)
seen = {"welcome": ftp.connect("127.0.0.1", port)}
seen["login"] = ftp.login("alice", "secret")
if ca_file is not None:
    seen["prot"] = ftp.prot_p()
seen["mlsd"] = {name: facts for name, facts in ftp.mlsd("/")}
# with facts, ftplib sends OPTS MLST first and takes the facts the server then gives
seen["mlsd_facts"] = {name: facts for name, facts in ftp.mlsd("/", facts=["size", "modify"])}

whole = bytearray()
ftp.retrbinary("RETR hello.txt", whole.extend)
seen["retr"] = whole.decode()
tail = bytearray()
ftp.retrbinary("RETR hello.txt", tail.extend, rest=6)
seen["retr_rest"] = tail.decode()

seen["stor"] = ftp.storbinary("STOR up.bin", io.BytesIO(b"x" * 100_000))
seen["size"] = ftp.size("up.bin")
seen["rename"] = ftp.rename("up.bin", "moved.bin")
seen["names_after_rename"] = sorted(ftp.nlst())
seen["delete"] = ftp.delete("moved.bin")
seen["mkd"] = ftp.mkd("made")
seen["rmd"] = ftp.rmd("made")

ftp.voidcmd("TYPE I")
data = ftp.transfercmd("RETR big.bin")
first = data.recv(8192)
seen["abort"] = ftp.abort()  # ABOR sent as urgent data: the 426 of the cut-off transfer
data.close()
seen["after_abort"] = ftp.getresp() if seen["abort"].startswith("426") else None  # then 226
seen["received_before_abort"] = len(first) > 0
seen["noop"] = ftp.voidcmd("NOOP")
seen["quit"] = ftp.quit()
print(json.dumps(seen))
