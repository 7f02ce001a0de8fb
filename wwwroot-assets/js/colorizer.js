// Colorizer's browser side: the compare slider's dragging, colour hints, clipboard paste, full screen and downloads.
// Kept small and dependency-free; Blazor calls these through IJSRuntime.
window.colorizer = {
    // Marks the page as interactive (the circuit is up), for tests and for styles that need it.
    markReady: function () {
        document.body.setAttribute("data-circuit", "ready");
    },

    // Saves a .NET stream (DotNetStreamReference) as a file: full-resolution results never travel as data URLs.
    downloadStream: async function (fileName, contentType, streamReference) {
        const buffer = await streamReference.arrayBuffer();
        const url = URL.createObjectURL(new Blob([buffer], { type: contentType }));
        const anchor = document.createElement("a");
        anchor.href = url;
        anchor.download = fileName;
        document.body.appendChild(anchor);
        anchor.click();
        anchor.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
    },

    fullScreen: function (element) {
        if (document.fullscreenElement) {
            return document.exitFullscreen();
        }
        return element.requestFullscreen();
    },

    // The divider of a compare view: pointer (mouse, touch, pen) drags it, arrow keys step it (Shift for big steps),
    // Home/End jump to the ends. The split lives in the CSS variable --split, so both images stay in one box.
    initCompare: function (element) {
        const handle = element.querySelector(".compare-handle");
        let split = 50;
        let dragging = false;

        const set = function (value) {
            split = Math.min(100, Math.max(0, value));
            element.style.setProperty("--split", split + "%");
            handle.setAttribute("aria-valuenow", Math.round(split));
            // Named after what the left side shows now (the original, a repaired photo or another model).
            const before = element.querySelector(".compare-label-before");
            const name = before && before.textContent ? before.textContent.trim().toLowerCase() : "original";
            handle.setAttribute("aria-valuetext", Math.round(split) + "% " + name);
        };
        const fromPointer = function (event) {
            const box = element.getBoundingClientRect();
            if (box.width > 0) {
                set((event.clientX - box.left) / box.width * 100);
            }
        };
        const down = function (event) {
            if (event.button !== undefined && event.button !== 0) {
                return;
            }
            dragging = true;
            element.setPointerCapture(event.pointerId);
            fromPointer(event);
            handle.focus({ preventScroll: true });
            event.preventDefault();
        };
        const move = function (event) {
            if (dragging) {
                fromPointer(event);
            }
        };
        const up = function (event) {
            dragging = false;
            if (element.hasPointerCapture(event.pointerId)) {
                element.releasePointerCapture(event.pointerId);
            }
        };
        const key = function (event) {
            const step = event.shiftKey ? 10 : 2;
            const moves = { ArrowLeft: -step, ArrowDown: -step, ArrowRight: step, ArrowUp: step };
            if (event.key in moves) {
                set(split + moves[event.key]);
            } else if (event.key === "Home") {
                set(0);
            } else if (event.key === "End") {
                set(100);
            } else {
                return;
            }
            event.preventDefault();
        };

        element.addEventListener("pointerdown", down);
        element.addEventListener("pointermove", move);
        element.addEventListener("pointerup", up);
        element.addEventListener("pointercancel", up);
        handle.addEventListener("keydown", key);
        set(split);
        return {
            dispose: function () {
                element.removeEventListener("pointerdown", down);
                element.removeEventListener("pointermove", move);
                element.removeEventListener("pointerup", up);
                element.removeEventListener("pointercancel", up);
                handle.removeEventListener("keydown", key);
            }
        };
    },

    // This tab's gallery id, kept in session storage so that a reload finds the same gallery on the server (results,
    // settings and hints) while another tab gets a gallery of its own.
    galleryId: async function () {
        const key = "colorizer.gallery";
        const valid = id => typeof id === "string" && /^[0-9a-f]{32}$/.test(id);
        let id = sessionStorage.getItem(key);
        // A duplicated tab copies session storage: if another open tab still shows this gallery, take a new one, so
        // two tabs never share (and edit) one gallery. A reloaded tab's old page is gone and does not answer.
        if (valid(id) && "BroadcastChannel" in window) {
            const ask = new BroadcastChannel("colorizer-galleries");
            const taken = await new Promise(resolve => {
                const timer = setTimeout(() => resolve(false), 150);
                ask.onmessage = event => {
                    if (event.data && event.data.owner === id) {
                        clearTimeout(timer);
                        resolve(true);
                    }
                };
                ask.postMessage({ ask: id });
            });
            ask.close();
            if (taken) {
                id = null;
            }
        }
        if (!valid(id)) {
            const bytes = crypto.getRandomValues(new Uint8Array(16));
            id = Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
            sessionStorage.setItem(key, id);
        }
        if ("BroadcastChannel" in window) {
            if (window.colorizerGalleryOwner) {
                window.colorizerGalleryOwner.close();
            }
            const owner = new BroadcastChannel("colorizer-galleries");
            owner.onmessage = event => {
                if (event.data && event.data.ask === id) {
                    owner.postMessage({ owner: id });
                }
            };
            window.colorizerGalleryOwner = owner;
        }
        return id;
    },

    // The colour-hint layer over a compare view. A click places a hint, a drag on the image draws a stroke, a drag on
    // a hint moves it and a click on one selects it; Delete, Ctrl+Z and Ctrl+Y edit. Positions go to .NET as
    // fractions of the image. Pointer events stop here, so the compare divider moves only by its handle meanwhile.
    initHints: function (layer, dotnet) {
        const draft = layer.querySelector(".hint-draft");
        const svg = layer.querySelector(".hint-strokes");
        let gesture = null;
        // Hints change the colorized image: all of it shows while they are edited (the divider, its handle and labels
        // are hidden by the "guiding" class, and keep their place for when the guide closes).
        const compare = layer.closest(".compare");
        if (compare) {
            compare.classList.add("guiding");
        }
        // The keyboard's way to place hints: a cursor the arrows move (Shift for big steps), Enter or Space places a
        // hint under it; on a focused hint, the arrows move that hint and Enter selects it. Changes are announced.
        const cursorMark = layer.querySelector(".hint-cursor");
        const announce = layer.querySelector(".hint-announce");
        let cursor = [0.5, 0.5];
        const say = function (text) {
            if (announce) {
                announce.textContent = text;
            }
        };
        const showCursor = function () {
            if (cursorMark) {
                cursorMark.style.left = (cursor[0] * 100) + "%";
                cursorMark.style.top = (cursor[1] * 100) + "%";
            }
        };
        showCursor();
        // Ctrl+Z and Ctrl+Y anywhere in the open guide (the image, the palette, the buttons), not only on the image.
        const scope = layer.closest("[data-guide-scope]") || layer;
        const shortcuts = function (event) {
            const command = event.ctrlKey || event.metaKey;
            if (!command || event.altKey) {
                return;
            }
            const letter = event.key.toLowerCase();
            if (letter === "y" || (letter === "z" && event.shiftKey)) {
                dotnet.invokeMethodAsync("Redo");
            } else if (letter === "z") {
                dotnet.invokeMethodAsync("Undo");
            } else {
                return;
            }
            event.preventDefault();
        };
        scope.addEventListener("keydown", shortcuts);
        // A button that becomes disabled while it has focus (Undo after the last undo) would drop the focus onto the
        // page's body: it moves to the next enabled button of its group instead (Redo), or to the image.
        let lastFocus = null;
        const track = function (event) {
            lastFocus = event.target;
        };
        const untrack = function (event) {
            // Focus that left the card for elsewhere is not the card's to rescue.
            if (!event.relatedTarget || !scope.contains(event.relatedTarget)) {
                lastFocus = null;
            }
        };
        scope.addEventListener("focusin", track);
        scope.addEventListener("focusout", untrack);
        const watcher = new MutationObserver(function (records) {
            for (const record of records) {
                const element = record.target;
                const lost = document.activeElement === null || document.activeElement === document.body || document.activeElement === element;
                if (element !== lastFocus || !element.disabled || !lost) {
                    continue;
                }
                const group = Array.from(element.parentElement ? element.parentElement.querySelectorAll("button") : []);
                const after = group.slice(group.indexOf(element) + 1).concat(group.slice(0, group.indexOf(element)));
                const next = after.find(b => !b.disabled) || layer;
                next.focus({ preventScroll: true });
            }
        });
        watcher.observe(scope, { attributes: true, attributeFilter: ["disabled"], subtree: true });

        const fraction = function (event) {
            const box = layer.getBoundingClientRect();
            return [
                Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)),
                Math.min(1, Math.max(0, (event.clientY - box.top) / box.height))
            ];
        };
        const pixels = function (a, b) {
            const box = layer.getBoundingClientRect();
            return Math.hypot((a[0] - b[0]) * box.width, (a[1] - b[1]) * box.height);
        };
        const drawDraft = function (points) {
            const view = svg.viewBox.baseVal;
            draft.setAttribute("points", points.map(p => (p[0] * view.width) + "," + (p[1] * view.height)).join(" "));
        };
        const down = function (event) {
            if (event.button !== undefined && event.button !== 0) {
                return;
            }
            event.stopPropagation();
            event.preventDefault();
            layer.focus({ preventScroll: true });
            layer.setPointerCapture(event.pointerId);
            const marker = event.target.closest(".hint-marker");
            const start = fraction(event);
            gesture = {
                start: start, points: [start], moved: false, marker: marker, index: marker ? Number(marker.dataset.index) : -1,
                // The marker moves by the pointer's displacement, so it lands where the server will put it.
                left: marker ? parseFloat(marker.style.left) : 0, top: marker ? parseFloat(marker.style.top) : 0
            };
        };
        const move = function (event) {
            if (!gesture) {
                return;
            }
            const point = fraction(event);
            if (!gesture.moved && pixels(point, gesture.start) > 5) {
                gesture.moved = true;
            }
            if (!gesture.moved) {
                return;
            }
            if (gesture.marker) {
                gesture.marker.style.left = (gesture.left + (point[0] - gesture.start[0]) * 100) + "%";
                gesture.marker.style.top = (gesture.top + (point[1] - gesture.start[1]) * 100) + "%";
            } else if (pixels(point, gesture.points[gesture.points.length - 1]) > 3) {
                gesture.points.push(point);
                drawDraft(gesture.points);
            }
        };
        const up = function (event) {
            if (!gesture) {
                return;
            }
            const done = gesture;
            gesture = null;
            if (layer.hasPointerCapture(event.pointerId)) {
                layer.releasePointerCapture(event.pointerId);
            }
            const end = fraction(event);
            if (done.index >= 0) {
                if (done.moved) {
                    dotnet.invokeMethodAsync("MoveHint", done.index, end[0] - done.start[0], end[1] - done.start[1]);
                } else {
                    dotnet.invokeMethodAsync("SelectHint", done.index);
                }
            } else if (done.moved && done.points.length > 1) {
                // A long stroke is thinned to at most 60 points: plenty for a hint, little for the circuit.
                const step = Math.ceil(done.points.length / 60);
                const points = done.points.filter((_, i) => i % step === 0);
                points.push(end);
                dotnet.invokeMethodAsync("PlaceStroke", points).finally(() => drawDraft([]));
            } else {
                dotnet.invokeMethodAsync("PlaceHint", end[0], end[1]);
            }
        };
        const cancel = function () {
            if (gesture && gesture.marker) {
                gesture.marker.style.left = gesture.left + "%";
                gesture.marker.style.top = gesture.top + "%";
            }
            gesture = null;
            drawDraft([]);
        };
        const key = function (event) {
            if (event.ctrlKey || event.metaKey || event.altKey) {
                return;
            }
            const step = event.shiftKey ? 0.1 : 0.02;
            const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
            const marker = event.target.closest ? event.target.closest(".hint-marker") : null;
            layer.classList.add("keyboard");
            if ((event.key === "Delete" || event.key === "Backspace") && marker) {
                // The focused hint goes, and the focus stays on the image rather than falling to the page.
                layer.focus({ preventScroll: true });
                dotnet.invokeMethodAsync("DeleteHint", Number(marker.dataset.index));
            } else if (event.key === "Delete" || event.key === "Backspace") {
                dotnet.invokeMethodAsync("DeleteSelected");
            } else if (event.key in moves && marker) {
                const move = moves[event.key];
                dotnet.invokeMethodAsync("MoveHint", Number(marker.dataset.index), move[0], move[1]);
            } else if (event.key in moves) {
                const move = moves[event.key];
                cursor = [Math.min(1, Math.max(0, cursor[0] + move[0])), Math.min(1, Math.max(0, cursor[1] + move[1]))];
                showCursor();
                say("Cursor at " + Math.round(cursor[0] * 100) + "% across, " + Math.round(cursor[1] * 100) + "% down");
            } else if ((event.key === "Enter" || event.key === " ") && marker) {
                dotnet.invokeMethodAsync("SelectHint", Number(marker.dataset.index));
            } else if (event.key === "Enter" || event.key === " ") {
                dotnet.invokeMethodAsync("PlaceHint", cursor[0], cursor[1]).then(() =>
                    say("Hint placed at " + Math.round(cursor[0] * 100) + "% across, " + Math.round(cursor[1] * 100) + "% down"));
            } else {
                return;
            }
            event.preventDefault();
        };
        const pointerUsed = function () {
            layer.classList.remove("keyboard");
        };

        layer.addEventListener("pointerdown", down);
        layer.addEventListener("pointermove", move);
        layer.addEventListener("pointerup", up);
        layer.addEventListener("pointercancel", cancel);
        layer.addEventListener("keydown", key);
        layer.addEventListener("pointerdown", pointerUsed);
        return {
            dispose: function () {
                scope.removeEventListener("keydown", shortcuts);
                scope.removeEventListener("focusin", track);
                scope.removeEventListener("focusout", untrack);
                watcher.disconnect();
                layer.removeEventListener("pointerdown", pointerUsed);
                layer.removeEventListener("pointerdown", down);
                layer.removeEventListener("pointermove", move);
                layer.removeEventListener("pointerup", up);
                layer.removeEventListener("pointercancel", cancel);
                layer.removeEventListener("keydown", key);
                // Closing the guide gives the compare view its divider back, where it was.
                if (compare) {
                    compare.classList.remove("guiding");
                }
            }
        };
    },

    // The light or dark choice the user made with the app bar's button, kept across reloads; null follows the system.
    // Storage may be blocked (a privacy mode, a sandboxed frame): then the choice lasts as long as the page.
    themeChoice: function () {
        try {
            const value = localStorage.getItem("colorizer.theme");
            return value === "dark" || value === "light" ? value : null;
        } catch (e) {
            return null;
        }
    },

    setThemeChoice: function (value) {
        try {
            localStorage.setItem("colorizer.theme", value);
        } catch (e) {
            // Not kept; nothing else depends on it.
        }
    },

    // Paste from the clipboard anywhere on the page: image files are handed to the upload's file input, which
    // Blazor then reads as if they had been picked.
    initPaste: function (inputSelector) {
        const paste = function (event) {
            // The upload keeps one input per earlier pick (their files may still be being read) and one fresh input
            // for the next: the paste goes to the fresh one, so it never replaces a list still in use.
            const inputs = Array.from(document.querySelectorAll(inputSelector));
            const input = inputs.filter(i => !i.classList.contains("d-none")).pop() || inputs.pop();
            const items = event.clipboardData ? Array.from(event.clipboardData.items) : [];
            const files = items.filter(i => i.kind === "file" && i.type.startsWith("image/")).map(i => i.getAsFile()).filter(f => f);
            if (!input || input.disabled || files.length === 0) {
                return;
            }
            const transfer = new DataTransfer();
            files.forEach((file, index) => {
                const name = file.name && file.name !== "image.png" ? file.name : "pasted-" + (index + 1) + "." + (file.type.split("/")[1] || "png");
                transfer.items.add(new File([file], name, { type: file.type }));
            });
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            event.preventDefault();
        };
        document.addEventListener("paste", paste);
        return {
            dispose: function () {
                document.removeEventListener("paste", paste);
            }
        };
    }
};
