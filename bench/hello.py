"""The baseline: a bare Flask hello-world, served exactly like the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
