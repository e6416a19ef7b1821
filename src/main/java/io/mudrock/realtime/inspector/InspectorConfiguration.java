package io.mudrock.realtime.inspector;

import io.mudrock.realtime.page.PageSwitch;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.function.Function;

/** Holds {@link InspectorSettings}, read once ({@code INSPECTOR}); see {@link PageSwitch}. */
@ApplicationScoped
public class InspectorConfiguration extends PageSwitch<InspectorSettings> {

    @Override
    protected InspectorSettings load(Function<String, Optional<String>> source, boolean embeddedDatabase) {
        return InspectorSettings.load(source, embeddedDatabase);
    }

    @Override
    protected String describe(InspectorSettings loaded) {
        return "Realtime Inspector at /inspector/: " + (loaded.enabled() ? "on" : "off");
    }
}
