#!/bin/sh
# 속보 over server-sent events with nothing but curl: Yoga's built-in SSE on /graphql (each event is a
# `next` with the JSON result; `:` lines are heartbeats). Pass the last cursor as the first argument
# to resume after a disconnect.
#
#   sh examples/breaking-news-sse.sh [cursor]              # against `npm start` on localhost:4000
URL=${NEWS_API:-http://localhost:4000/graphql}
AFTER=${1:+"(after: \"$1\")"}
exec curl --no-buffer --silent --show-error --get "$URL" \
  -H 'accept: text/event-stream' \
  --data-urlencode "query=subscription { breakingNews$AFTER { cursor replayed article { headline url publishedAt } } }"
