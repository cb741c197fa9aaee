"""Build (once, cached) an image of real pinned wheels and npm packages for `lang_vs_trivy.py`.

PYTHONPATH=. .venv/bin/python bench/lang_big_image.py   # prints the docker-archive path
"""

from __future__ import annotations

from tests.support import images

WHEELS = (
    "flask==2.0.0",
    "werkzeug==2.0.0",
    "itsdangerous==2.0.0",
    "click==8.0.0",
    "django==3.2.0",
    "sqlparse==0.4.1",
    "asgiref==3.3.4",
    "pytz==2021.1",
    "PyYAML==6.0",
    "cryptography==41.0.0",
    "cffi==1.15.1",
    "pycparser==2.21",
)
NPM = ("express@4.17.1", "axios@0.21.1", "moment@2.29.1", "jsonwebtoken@8.5.1")


def main() -> None:
    recipe = images.Recipe(
        name="lang-big",
        layers=(
            images.Layer(created_by="pip install", populate=images.pip_layer(*WHEELS), key="py1"),
            images.Layer(created_by="npm install", populate=images.npm_layer(*NPM), key="npm1"),
        ),
    )
    print(images.build(recipe).archive)


if __name__ == "__main__":
    main()
