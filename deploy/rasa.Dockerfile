# The Rasa server with this project: the official image, the project's pinned
# extras, the real Danish spaCy pipeline, and a model trained in the image.
#   docker build -f deploy/rasa.Dockerfile -t socialokonomi/rasa .   (from the project folder)
FROM rasa/rasa:3.6.21

USER root
WORKDIR /app
ENV PYTHONPATH=/app
# One TensorFlow thread per pool, as scripts/serving/services.py starts the server (docs/benchmarks.md).
ENV TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1
COPY requirements.txt constraints.txt ./
# The pins the project was tested with (python-socketio 5.9.0 keeps the socketio
# channel working; the default image has no spaCy). da_core_news_sm is published
# only on GitHub, which the build must reach.
RUN pip install --no-cache-dir -c constraints.txt "rasa[spacy]==3.6.21" python-socketio spacy-lookups-data jsonschema \
 && pip install --no-cache-dir \
    https://github.com/explosion/spacy-models/releases/download/da_core_news_sm-3.4.0/da_core_news_sm-3.4.0-py3-none-any.whl

COPY config.yml domain.yml credentials.yml endpoints.yml ./
COPY deploy/endpoints.yml deploy/endpoints.yml
COPY data data
COPY knowledge knowledge
COPY components components
COPY channels channels
COPY storage storage
RUN rasa train --out models --fixed-model-name assistant \
 && chown -R 1001:0 /app && chmod -R g=u /app

USER 1001
EXPOSE 5005
# The image's entrypoint is `rasa`.
CMD ["run", "--model", "models/assistant.tar.gz", "--endpoints", "deploy/endpoints.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
