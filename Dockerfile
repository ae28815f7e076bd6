# Build and run Breachdesk against an external PostgreSQL (DATABASE_URL).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/breachdesk ./cmd/server

FROM debian:bookworm-slim
RUN useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin breachdesk
COPY --from=build /out/breachdesk /usr/local/bin/breachdesk
USER breachdesk
ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/breachdesk"]
CMD ["serve"]
