"""Frame rendering for exports and the explorer.

:mod:`rmsprop_viz.render.frames` holds what only a sequence of frames needs: the frame
schedule (``frame_steps``), the lines that only grow (``growing_lines``), the step counter
(``add_counter``), what a frame changes and the order to draw it in (``animated_artists``,
``draw_order``), and the explorer's blitting renderer (``FrameRenderer``). The exporter's
renderers build on it.
"""
