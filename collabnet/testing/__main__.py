"""``python -m collabnet.testing --works FILE``: serve work records on 127.0.0.1.

See :func:`collabnet.testing.standalone.serve_main` for the options.
"""

from collabnet.testing.standalone import serve_main

if __name__ == "__main__":
    raise SystemExit(serve_main())
