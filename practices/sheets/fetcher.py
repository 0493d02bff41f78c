"""A WeasyPrint URL fetcher that reads registered files from storage and fetches nothing else."""

import mimetypes

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "sheet-file"


class StorageFetcher(URLFetcher):
    """Serve the files a sheet registered (image renditions) straight from their storage.

    A sheet never fetches over HTTP: not the site itself (which would need the server to call
    itself and would bypass privacy rules), not third-party hosts. Any URL that was not
    registered fails, and WeasyPrint leaves the resource out with a warning. Works with any
    Django storage backend (local disk, object storage), because it goes through the storage API.
    See https://doc.courtbouillon.org/weasyprint/v70.0/first_steps.html#url-fetchers.
    """

    def __init__(self):
        super().__init__(allowed_protocols=[SCHEME])
        self._files = {}

    def register(self, field_file):
        """Return the URL under which the sheet's HTML refers to `field_file` (a FieldFile)."""
        url = f"{SCHEME}:{len(self._files) + 1}"
        self._files[url] = field_file
        return url

    def fetch(self, url, headers=None):
        """Read a registered file from its storage; refuse every other URL."""
        field_file = self._files.get(url)
        if field_file is None:
            raise ValueError(f"A sheet only loads files it registered, not {url}.")
        with field_file.storage.open(field_file.name, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})
