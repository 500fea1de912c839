// The frame player of an exported race (rmsprop_viz.export.html), for pages without video.
// The page defines, in a script before this one:
//   background: a data URL of the still picture (PNG),
//   frames: per frame, a data URL of a PNG of what differs from it, transparent elsewhere,
//   interval: milliseconds between frames, repeat: whether to start again after the last,
//   hold: milliseconds the last frame stays before that (0 if the page leaves it out).
/* global background, frames, interval, repeat, hold */
"use strict";

const canvas = document.getElementById("frame");
const context = canvas.getContext("2d");
const slider = document.getElementById("slider");
const label = document.getElementById("label");
const button = document.getElementById("play");
let current = 0;
let timer = null;
let held = 0; // milliseconds the last frame has been held so far
const holdFor = typeof hold === "number" ? hold : 0;

function load(data) {
  const image = new Image();
  image.onload = function () { draw(); };
  image.src = data;
  return image;
}

const back = load(background);
const layers = frames.map(load);

function draw() {
  const layer = layers[current];
  if (back.complete && layer.complete) {
    context.drawImage(back, 0, 0);
    context.drawImage(layer, 0, 0);
  }
}

function show(i) {
  current = i;
  held = 0;
  slider.value = i;
  label.textContent = "frame " + (i + 1) + " / " + frames.length;
  draw();
}

function tick() {
  if (current + 1 < frames.length) {
    show(current + 1);
  } else if (held < holdFor) {
    held += interval; // the last frame stays a while
  } else if (repeat) {
    show(0);
  } else {
    pause();
  }
}

function play() {
  if (timer === null) {
    if (current + 1 >= frames.length) { show(0); }
    timer = setInterval(tick, interval);
    button.textContent = "Pause";
  }
}

function pause() {
  if (timer !== null) { clearInterval(timer); timer = null; }
  button.textContent = "Play";
}

button.addEventListener("click", function () { if (timer === null) { play(); } else { pause(); } });
slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
show(0);
play();
