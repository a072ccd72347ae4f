# The action server with this project's actions and its knowledge base, on the
# official rasa_sdk image.
#   docker build -f deploy/actions.Dockerfile -t socialokonomi/actions .   (from the project folder)
FROM rasa/rasa-sdk:3.6.2

USER root
WORKDIR /app
ENV PYTHONPATH=/app
COPY constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt pyyaml
COPY actions actions
COPY knowledge knowledge
RUN chown -R 1001:0 /app && chmod -R g=u /app

USER 1001
EXPOSE 5055
# The image's entrypoint starts rasa_sdk; it serves the `actions` package.
CMD ["start", "--actions", "actions", "--port", "5055"]
