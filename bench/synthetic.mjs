// A realistic synthetic Dockerfile of about `bytes` bytes: stages of installs,
// cleanups, docker-library style RUN chains, heredocs, JSON and shell CMDs.
export function syntheticDockerfile(bytes) {
  const block = (i) => `# stage ${i}
FROM debian:bookworm-slim AS stage${i}
ARG VERSION=1.${i}.0
ENV APP_HOME=/srv/app${i} \\
    PATH=/srv/app${i}/bin:$PATH
RUN set -eux; \\
\tapt-get update; \\
\tapt-get install -y --no-install-recommends \\
\t\tca-certificates \\
\t\tcurl \\
\t\tgnupg \\
\t; \\
\tcurl -fsSL "https://example.com/app-\${VERSION}.tar.gz" | tar -xz -C /opt; \\
\techo "installed ${i}"
RUN rm -rf /var/lib/apt/lists/*
COPY --chown=app:app ["config ${i}.yaml", "/etc/app/"]
RUN <<EOF
set -e
echo "heredoc body ${i}   kept"
EOF
WORKDIR /srv/app${i}
EXPOSE 80${i % 10}
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost/ || exit 1
CMD python -m http.server 80${i % 10}
CMD ["python", "app${i}.py"]

`;
  let out = "# syntax=docker/dockerfile:1\n";
  for (let i = 0; out.length < bytes; i++) out += block(i);
  return out;
}
