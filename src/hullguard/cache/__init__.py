"""Content-addressed caches under the user cache dir: what reading an image's layers yields."""
