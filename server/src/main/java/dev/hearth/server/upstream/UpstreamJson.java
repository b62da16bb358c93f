package dev.hearth.server.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one JSON mapper of the upstream package (bodies forwarded, answers and error bodies parsed). Its own file so
 * that the exceptions and bodies that read JSON do not depend on {@link UpstreamNode}, which depends on them.
 */
final class UpstreamJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private UpstreamJson() {}
}
